"""`slm ingest --config R` through the real CLI: the demo recipe's PDF becomes clean, page-cited chunks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from slm_recipes.cli import cli_main

REPO = Path(__file__).resolve().parents[2]
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
