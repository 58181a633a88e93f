"""Review round trip: export a sample, edit the CSV, import it, and the corrections win in the next run."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.curate.pipeline import run_curate
from slm_recipes.curate.review import export_sample, import_decisions, stratified_sample
from slm_recipes.text.lexicon import load_lexicon

from .conftest import read_jsonl

LEXICON = load_lexicon()


def edit_csv(path: Path, edits: dict[str, dict[str, str]]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.update(edits.get(row["id"], {}))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_export_edit_import_round_trip(curate_files, paths):
    run_curate(curate_files, paths, LEXICON)
    curate_files = replace(curate_files, review_fraction=1.0)
    csv_path, html_path, count = export_sample(curate_files, paths)
    assert count == 16 and csv_path.parent == paths.dataset_dir.parent / "review"
    page = html_path.read_text(encoding="utf-8")
    assert "出差报销应在结束后多少个工作日内提交？" in page and "<mark class=miss>20个工作日</mark>" in page
    assert "<mark class=hit>100元</mark>" in page and "✗ numeric_grounding" in page

    edit_csv(csv_path, {"good-2": {"decision": "reject"}, "missing-number": {"decision": "accept"},
                        "changed-number": {"corrected_answer": "应在出差结束后15个工作日内提交。"}})
    assert import_decisions(csv_path, paths) == {"accept": 2, "reject": 1, "corrected": 1}

    report = run_curate(curate_files, paths, LEXICON)
    out = {r["id"]: r for name in ("train", "val", "test", "rejected")
           for r in read_jsonl(paths.split(name))}
    assert out["good-2"]["reasons"] == ["review_rejected"]
    assert "reasons" not in out["missing-number"] and out["missing-number"]["review"] == "accepted"
    fixed = out["changed-number"]
    assert fixed["answer"] == "应在出差结束后15个工作日内提交。" and fixed["numbers"] == ["15个工作日"] and "reasons" not in fixed
    assert fixed["checks"]["numeric_grounding"]["pass"]
    assert report.review == {"accepted": 1, "corrected": 1, "rejected": 1, "unknown_ids": 0}


def test_later_import_wins_and_blank_rows_are_skipped(curate_files, paths):
    run_curate(curate_files, paths, LEXICON)
    csv_path, _, _ = export_sample(curate_files, paths)
    first = next(iter(csv.DictReader(csv_path.open(encoding="utf-8-sig"))))["id"]
    edit_csv(csv_path, {first: {"decision": "reject"}})
    assert import_decisions(csv_path, paths)["reject"] == 1
    edit_csv(csv_path, {first: {"decision": "接受"}})
    assert import_decisions(csv_path, paths) == {"accept": 1, "reject": 0, "corrected": 0}
    assert [d["decision"] for d in read_jsonl(paths.decisions)] == ["accept"]


def test_bad_decision_names_the_line(curate_files, paths):
    run_curate(curate_files, paths, LEXICON)
    curate_files = replace(curate_files, review_fraction=1.0)
    csv_path, _, _ = export_sample(curate_files, paths)
    second = list(csv.DictReader(csv_path.open(encoding="utf-8-sig")))[1]["id"]
    edit_csv(csv_path, {second: {"decision": "maybe"}})
    with pytest.raises(RecipeError, match=r"sample.csv:3: decision 'maybe'"):
        import_decisions(csv_path, paths)


def test_sample_is_stratified_by_stage_and_document():
    records = [{"id": f"{stage}-{doc}-{i}", "stage": stage, "doc": doc} for stage in ("numeric", "general")
               for doc, n in (("a.pdf", 40), ("b.pdf", 3)) for i in range(n)]
    sample = stratified_sample(records, 0.1, seed=1)
    groups = {(r["stage"], r["doc"]) for r in sample}
    assert len(groups) == 4 and len(sample) == 2 * (4 + 1)
    assert stratified_sample(records, 0.1, seed=1) == sample
