import json
from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.ingest.config import IngestConfig
from slm_recipes.ingest.pipeline import run_ingest


def _config(tmp_path: Path, *sources: Path, **kwargs: object) -> IngestConfig:
    return IngestConfig(sources=[str(s) for s in sources], output=str(tmp_path / "out" / "chunks.jsonl"),
                        chunk_tokens=kwargs.pop("chunk_tokens", 60), overlap_tokens=8, **kwargs)


def _paths(config: IngestConfig) -> RunPaths:
    return RunPaths("t", "m", chunks_file=config.output)


def _records(config: IngestConfig) -> list[dict]:
    return [json.loads(line) for line in Path(config.output).read_text(encoding="utf-8").splitlines()]


def test_pdf_chunks_follow_the_contract(tmp_path: Path, pdfs) -> None:
    config = _config(tmp_path, pdfs.report(pages=4))
    report = run_ingest(config, _paths(config), len, show_progress=False)
    records = _records(config)
    assert report.chunks == len(records) > 0
    assert set(records[0]) == {"id", "doc", "doc_sha256", "pages", "span", "text", "continues"}
    assert records[0]["continues"] is False and all(isinstance(r["continues"], bool) for r in records)
    text = "".join(r["text"] for r in records)
    assert "ACME" not in text and "- 2 -" not in text
    assert "120万元" in text and "1,000万股" in text and "information systems" in text
    assert "收入 | 1,200 | 35%" in text
    assert {r["pages"][0] for r in records} == {1, 2, 3, 4}
    for record in records:
        first, last = record["pages"]
        assert 1 <= first <= last <= 4 and len(record["text"]) == record["span"][1] - record["span"][0]
    doc = report.documents[0]
    assert (doc.pages, doc.extractor, doc.chunks) == (4, "pymupdf", len(records))


def test_ids_are_stable_and_depend_on_settings(tmp_path: Path, pdfs) -> None:
    pdf = pdfs.report()
    first = _config(tmp_path, pdf)
    run_ingest(first, _paths(first), len, show_progress=False)
    ids = [r["id"] for r in _records(first)]
    run_ingest(first, _paths(first), len, show_progress=False)
    assert [r["id"] for r in _records(first)] == ids and len(set(ids)) == len(ids)
    other = _config(tmp_path, pdf, chunk_tokens=61)
    run_ingest(other, _paths(other), len, show_progress=False)
    assert not {r["id"] for r in _records(other)} & set(ids)


def test_two_column_page_keeps_columns_apart(tmp_path: Path, pdfs) -> None:
    config = _config(tmp_path, pdfs.two_column(), chunk_tokens=1000)
    run_ingest(config, _paths(config), len, show_progress=False)
    text = _records(config)[0]["text"]
    assert text.index("Right column") > text.rindex("Left column")


def test_bad_documents_stop_the_run_with_one_line(tmp_path: Path, pdfs) -> None:
    config = _config(tmp_path, pdfs.report(), pdfs.encrypted())
    with pytest.raises(RecipeError, match="locked.pdf: encrypted"):
        run_ingest(config, _paths(config), len, show_progress=False)
    assert not Path(config.output).exists()


def test_skip_bad_ingests_the_rest_and_lists_the_bad(tmp_path: Path, pdfs) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    odd = tmp_path / "slides.pptx"
    odd.write_bytes(b"PK")
    gbk = tmp_path / "rules.txt"
    gbk.write_bytes("第一条 注册资本为１２０万元。".encode("gbk"))
    docx = tmp_path / "notes.txt"  # a Word file renamed: once taken for UTF-16, a crash past --skip-bad
    docx.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 8)
    bad = [pdfs.encrypted(), pdfs.truncated(), pdfs.image_only(), empty, odd, docx]
    config = _config(tmp_path, pdfs.report(), gbk, *bad, skip_bad=True)
    report = run_ingest(config, _paths(config), len, show_progress=False)
    assert [Path(d.path).name for d in report.failed] == [p.name for p in bad]
    assert all("\n" not in d.error for d in report.failed)
    assert {Path(r["doc"]).name for r in _records(config)} == {"report.pdf", "rules.txt"}
    assert report.documents[1].extractor == "text (gb18030)"
    assert report.render().row_count == 8
    assert "notes.txt: this is a ZIP archive" in report.failed[-1].error


def test_only_bad_documents_is_an_error(tmp_path: Path, pdfs) -> None:
    config = _config(tmp_path, pdfs.encrypted(), skip_bad=True)
    with pytest.raises(RecipeError, match="no chunks: .*locked.pdf"):
        run_ingest(config, _paths(config), len, show_progress=False)


def test_interrupted_run_leaves_previous_output(tmp_path: Path, pdfs, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _config(tmp_path, pdfs.report())
    run_ingest(config, _paths(config), len, show_progress=False)
    before = Path(config.output).read_bytes()

    def interrupted(*args: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("slm_recipes.ingest.pipeline.chunk_id", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_ingest(config, _paths(config), len, show_progress=False)
    assert Path(config.output).read_bytes() == before
    assert sorted(p.name for p in Path(config.output).parent.iterdir()) == ["chunks.jsonl", "chunks.jsonl.lock"]


def test_duplicate_content_is_ingested_once(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("同一份文件。", encoding="utf-8")
    config = _config(tmp_path, tmp_path / "a.txt", tmp_path / "b.txt")
    report = run_ingest(config, _paths(config), len, show_progress=False)
    assert report.chunks == 1 and "same content as" in report.documents[1].warnings[0]


def test_overlap_must_be_below_budget(tmp_path: Path, pdfs) -> None:
    with pytest.raises(RecipeError, match="overlap_tokens"):
        IngestConfig(sources=[str(pdfs.report())], chunk_tokens=10, overlap_tokens=10)
