"""Human review: export a stratified sample to CSV + HTML, import the edited CSV as decisions.

Decisions (`decisions.jsonl`, one `{"id", "decision", "corrected_answer"}` a line) win in the next
curate run: `accept` keeps a record whatever the checks say, `reject` drops it, and a corrected
answer replaces the teacher's (and counts as accepted unless the row says reject).
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from slm_recipes.core.atomic import AtomicJsonlWriter, AtomicTextFile, write_text_atomically
from slm_recipes.core.errors import RecipeError
from slm_recipes.core.jsonl import read_records
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.curate.config import CurateConfig
from slm_recipes.curate.records import read_chunks
from slm_recipes.curate.review_page import render_page

COLUMNS = ("id", "status", "score", "reasons", "stage", "doc", "pages", "question", "answer", "decision", "corrected_answer", "note")
ACCEPT = {"accept", "accepted", "a", "yes", "y", "ok", "keep", "接受", "通过", "保留"}
REJECT = {"reject", "rejected", "r", "no", "n", "x", "drop", "拒绝", "删除", "不通过"}
DATASET_FILES = ("train", "val", "test", "rejected")


def load_decisions(path: Path) -> dict[str, dict[str, Any]]:
    """id -> decision; no file means no decisions."""
    if not path.is_file():
        return {}
    return {record["id"]: record for _, record in read_records(path, ("id", "decision"))}


def export_sample(config: CurateConfig, paths: RunPaths) -> tuple[Path, Path, int]:
    """Sample `review_fraction` of the curated records, stratified by stage and document; write CSV and HTML."""
    records = []
    for name in DATASET_FILES:
        path = paths.split(name)
        if not path.is_file():
            raise RecipeError(f"{path}: not found; run `slm curate` first")
        records += [dict(r, status="rejected" if name == "rejected" else name) for _, r in read_records(path, ("id", "question", "answer"))]
    sample = stratified_sample(records, config.review_fraction, config.seed)
    chunks = read_chunks(paths.chunks)
    csv_path, html_path = paths.review_sample, paths.review_page
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(csv_path, sample)
    write_text_atomically(html_path, render_page(sample, chunks))
    return csv_path, html_path, len(sample)


def stratified_sample(records: list[dict[str, Any]], fraction: float, seed: int) -> list[dict[str, Any]]:
    """At least one record of every (stage, document) group, `fraction` of each group otherwise."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[(str(record.get("stage", "")), str(record.get("doc", "")))].append(record)
    rng = random.Random(seed)
    sample = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda r: r["id"])
        sample += rng.sample(members, min(len(members), max(1, round(fraction * len(members)))))
    return sample


def _write_csv(path: Path, sample: list[dict[str, Any]]) -> None:
    with AtomicTextFile(path, encoding="utf-8-sig", newline="") as handle:  # BOM: spreadsheets open it as UTF-8
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for r in sample:
            writer.writerow({"id": r["id"], "status": r["status"], "score": r.get("score", ""), "reasons": " ".join(r.get("reasons", [])),
                             "stage": r.get("stage", ""), "doc": r.get("doc", ""), "pages": json.dumps(r.get("pages", "")),
                             "question": r["question"], "answer": r["answer"], "decision": "", "corrected_answer": "", "note": ""})


def import_decisions(csv_path: Path, paths: RunPaths) -> dict[str, int]:
    """Read an edited review CSV; merge its decisions into the decisions file (a later decision wins)."""
    if not csv_path.is_file():
        raise RecipeError(f"{csv_path}: file not found")
    decisions = load_decisions(paths.decisions)
    counts = {"accept": 0, "reject": 0, "corrected": 0}
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("id", "decision", "corrected_answer") if c not in (reader.fieldnames or [])]
        if missing:
            raise RecipeError(f"{csv_path}: missing column(s) {', '.join(missing)}")
        for row in reader:
            line = reader.line_num
            word = (row["decision"] or "").strip().lower()
            corrected = (row["corrected_answer"] or "").strip()
            if word and word not in ACCEPT | REJECT:
                raise RecipeError(f"{csv_path}:{line}: decision {row['decision']!r} is neither accept nor reject")
            if not (row["id"] or "").strip():
                raise RecipeError(f"{csv_path}:{line}: empty id")
            if not word and not corrected:
                continue
            decision = "reject" if word in REJECT else "accept"
            counts[decision] += 1
            counts["corrected"] += bool(corrected and decision == "accept")
            decisions[row["id"].strip()] = {"id": row["id"].strip(), "decision": decision,
                                            "corrected_answer": corrected if decision == "accept" and corrected else None,
                                            "note": (row.get("note") or "").strip()}
    with AtomicJsonlWriter(paths.decisions) as writer:
        for record in decisions.values():
            writer.write(record)
    return counts


def apply_decision(record: dict[str, Any], decision: dict[str, Any] | None) -> str | None:
    """Put a human decision on a record (in place); returns "accepted", "corrected", "rejected" or None."""
    if decision is None:
        return None
    if decision["decision"] == "reject":
        return "rejected"
    if decision.get("corrected_answer"):
        record["answer"] = decision["corrected_answer"]
        return "corrected"
    return "accepted"
