"""The data commands through the real CLI: `slm ingest` (the demo PDF becomes clean, page-cited chunks),
`slm curate` and `slm review export|import` on a small recipe written in tmp_path."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from curate.conftest import PLANTED, curate_files, read_jsonl  # noqa: F401 (a fixture)

from slm_recipes.cli.main import cli_main

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "recipes" / "demo.yaml"
DEMO_PDF = REPO / "recipes" / "demo" / "reimbursement_rules.pdf"
DEMO_TXT = REPO / "recipes" / "demo" / "reimbursement_rules.txt"
HEADER = "星河科技有限公司 报销细则"
FOOTER = re.compile(r"第\s*\d+\s*页\s*共\s*\d+\s*页")


def _ingest(tmp_path: Path, tokenizer: Path, *extra: str) -> list[str]:
    return ["ingest", "--config", str(DEMO), "--ingest.output", str(tmp_path / "chunks.jsonl"),
            "--model.model_name", str(tokenizer), *extra]


def _records(tmp_path: Path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def broken_pdf(tmp_path: Path) -> Path:
    """The demo PDF cut in half: a truncated download."""
    path = tmp_path / "broken.pdf"
    data = DEMO_PDF.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def test_demo_recipe_becomes_clean_chunks(tmp_path: Path, smollm2_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # the recipe names its sources relative to the repository, as users run it
    cli_main(_ingest(tmp_path, smollm2_dir))
    records = _records(tmp_path)
    assert records and {r["doc"] for r in records} == {"recipes/demo/reimbursement_rules.pdf"}
    headings = re.findall(r"^(第[一二三四五六七八九十百零〇]+条)", DEMO_TXT.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(headings) >= 10
    starts = {m.group(1) for r in records for m in re.finditer(r"^(第[一二三四五六七八九十百零〇]+条)", r["text"], re.MULTILINE)}
    assert [h for h in headings if h not in starts] == []
    for record in records:
        first, last = record["pages"]
        assert 1 <= first <= last <= 6
        assert HEADER not in record["text"] and not FOOTER.search(record["text"])


def test_skip_bad_lists_the_bad_file_and_succeeds(tmp_path: Path, smollm2_dir: Path, broken_pdf: Path, capsys) -> None:
    cli_main(_ingest(tmp_path, smollm2_dir, "--skip-bad", "--ingest.sources", f"[{DEMO_PDF}, {broken_pdf}]"))
    out = capsys.readouterr().out
    assert f"skipped 1 bad document(s): {broken_pdf.as_posix()}" in out
    assert {r["doc"] for r in _records(tmp_path)} == {DEMO_PDF.as_posix()}


def test_bad_file_without_skip_bad_exits_2_with_one_line(tmp_path: Path, smollm2_dir: Path, broken_pdf: Path,
                                                          capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(_ingest(tmp_path, smollm2_dir, "--ingest.sources", f"[{DEMO_PDF}, {broken_pdf}]"))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "broken.pdf: truncated PDF" in err and err.startswith("error: ")
    assert not (tmp_path / "chunks.jsonl").exists()


def recipe(tmp_path: Path) -> Path:
    """A recipe over the chunks and pairs of the `curate_files` fixture in tmp_path."""
    path = tmp_path / "recipe.yaml"
    path.write_text(
        "model:\n  init_args:\n    model_name: HuggingFaceTB/SmolLM2-135M-Instruct\n"
        f"data:\n  init_args:\n    train_file: {tmp_path / 'x.jsonl'}\n"
        f"ingest:\n  output: {tmp_path / 'chunks.jsonl'}\ndistill:\n  output: {tmp_path / 'distilled.jsonl'}\n"
        f"curate:\n  output_dir: {tmp_path / 'dataset'}\n"
        "  review_fraction: 1.0\n", encoding="utf-8")
    return path


def test_curate_and_review_commands(tmp_path, curate_files, capsys):  # noqa: F811 (the imported fixture)
    args = ["--config", str(recipe(tmp_path))]
    cli_main(["curate", *args, "--curate.min_score", "50"])
    out = capsys.readouterr().out
    assert "curate →" in out and "numeric_grounding" in out and "report.md" in out
    assert len(read_jsonl(tmp_path / "dataset" / "rejected.jsonl")) == len(PLANTED)

    cli_main(["review", "export", *args])
    sample = tmp_path / "review" / "sample.csv"
    assert sample.is_file() and (tmp_path / "review" / "sample.html").is_file()
    rows = list(csv.DictReader(sample.open(encoding="utf-8-sig")))
    for row in rows:
        row["decision"] = "accept" if row["id"] == "refusal" else ""
    with sample.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    cli_main(["review", "import", str(sample), *args])
    assert "imported 1 accepted" in capsys.readouterr().out

    cli_main(["curate", *args])
    assert len(read_jsonl(tmp_path / "dataset" / "rejected.jsonl")) == len(PLANTED) - 1


def test_review_needs_an_action(capsys):
    with pytest.raises(SystemExit):
        cli_main(["review", "--config", "x.yaml"])
    assert "usage: slm review export" in capsys.readouterr().err


def distill_recipe(folder: Path, base_url: str) -> Path:
    (folder / "chunks.jsonl").write_text("".join(json.dumps({"id": f"c{i}", "doc": "r.txt", "pages": [1, 1], "span": [0, 9],
                                                             "text": f"第{i}条 报销上限为{i}000元。"}, ensure_ascii=False) + "\n"
                                                 for i in range(1, 5)), encoding="utf-8")
    path = folder / "recipe.yaml"
    path.write_text(f"name: r\nmodel:\n  init_args:\n    model_name: org/Tiny-Instruct\ningest:\n  output: {folder}/chunks.jsonl\n"
                    f"distill:\n  teachers: [openai_compatible]\n  base_url: {base_url}\n  model: m\n  stages: [numeric]\n"
                    f"  output: {folder}/out/distilled.jsonl\n  cache_dir: {folder}/cache\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("reply, message", [
    ("refused", r"^error: distill: 4 of 4 chunk stage\(s\) failed: openai_compatible \(m\) request failed: HTTP 400: "
                r"no \(×4\); the list is in .*distilled\.failures\.jsonl; run again to retry only those$"),
    ("bad key", r"^error: no usable key for openai_compatible: 1 rejected \(401\)$"),
])
def test_a_distillation_that_fails_exits_1_with_one_line(tmp_path, monkeypatch, capsys, reply, message):
    from distill.loopback import OPENAI, Loopback, chat_error

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-cccccccccccccccccccc")
    answer = chat_error(400, "no") if reply == "refused" else OPENAI.bad_key
    with Loopback(default=answer) as server, pytest.raises(SystemExit) as stop:
        cli_main(["distill", "--config", str(distill_recipe(tmp_path, server.url + "/v1"))])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 1 and re.match(message, err.splitlines()[-1]) and "cccccc" not in err


def without_override() -> list[str]:
    """A command prefix under which a read-only folder is read-only: root writes into one regardless, so as root
    the child runs without the capability to override file permissions (util-linux's setpriv)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be made read-only for the child")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


@pytest.mark.parametrize("command", ["curate", "distill"])
def test_a_read_only_output_folder_is_one_line_naming_it_and_nothing_is_lost(tmp_path, command):
    open_folder = tmp_path
    (open_folder / "chunks.jsonl").write_text(json.dumps({"id": "c1", "doc": "r.txt", "pages": [1, 1], "span": [0, 9],
                                                          "text": "第一条 住宿费每天不超过500元。"}, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
    (open_folder / "distilled.jsonl").write_text(json.dumps(
        {"id": "p1", "question": "住宿费每天上限是多少？", "answer": "住宿费每天不超过500元。", "chunk_id": "c1", "doc": "r.txt",
         "pages": [1, 1], "teacher": "hand", "stage": "numeric", "numbers": ["500元"]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    out = open_folder / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work")
    out.chmod(0o555)
    recipe = open_folder / "recipe.yaml"
    recipe.write_text(f"name: r\nmodel:\n  init_args:\n    model_name: org/Tiny-Instruct\ningest:\n  output: {open_folder}/chunks.jsonl\n"
                      f"distill:\n  output: {out if command == 'distill' else open_folder}/distilled.jsonl\n"
                      f"  cache_dir: {open_folder}/cache\ncurate:\n  output_dir: {out}/dataset\n", encoding="utf-8")
    try:
        run = subprocess.run([*without_override(), sys.executable, "-m", "slm_recipes.cli", command, "--config", str(recipe)],
                             cwd=open_folder, capture_output=True, text=True)
    finally:
        out.chmod(0o755)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith(f"error: {out}") and "Permission denied" in run.stderr
    assert "Traceback" not in run.stderr and (out / "keep.txt").read_text() == "earlier work"


def test_index_builds_once_and_query_prints_the_best_passages_with_their_pages(tmp_path, smollm2_dir, monkeypatch,
                                                                               capsys, caplog):
    argv = ["--config", str(DEMO), "--model.model_name", str(smollm2_dir.resolve())]
    monkeypatch.chdir(tmp_path)
    caplog.set_level("INFO")
    cli_main(["index", *argv])
    assert "passages (sentences, bm25) in data/demo/index" in caplog.text
    manifest = json.loads((tmp_path / "data/demo/index/manifest.json").read_text())
    assert manifest["unit"] == "sentence" and manifest["passages"] > 100
    monkeypatch.setenv("COLUMNS", "200")
    cli_main(["index", *argv, "--query", "自驾出差的燃油补贴每公里多少钱？", "--top", "2"])
    captured = capsys.readouterr()
    assert "data/demo/index is up to date; reused" in caplog.text
    assert "reimbursement_rules.pdf p.2" in captured.out and "1.2元" in captured.out
    assert "2 passage(s) for '自驾出差的燃油补贴每公里多少钱？'" in captured.out
    with pytest.raises(SystemExit):
        cli_main(["index", *argv, "--query", " "])
    assert "--query is empty" in capsys.readouterr().err
