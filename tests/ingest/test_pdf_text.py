from pathlib import Path

import pymupdf
import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.ingest import pdf_text
from slm_recipes.ingest.loading import load_document
from slm_recipes.ingest.pdf_text import PDFMINER, PYMUPDF, extract_pdf


def _all_text(result: pdf_text.PdfPages) -> str:
    return "\n".join(line.text for blocks in result.pages for block in blocks for line in block)


def test_pymupdf_is_first_choice(report_pdf: Path) -> None:
    result = extract_pdf(report_pdf)
    assert result.extractor == PYMUPDF and result.warnings == []
    assert len(result.pages) == 3
    assert "适用于全体员工及其家属。" in _all_text(result)


def test_falls_back_to_pdfminer_when_pymupdf_finds_no_text(report_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_text, "_pymupdf_pages", lambda doc: ([[] for _ in doc], [842.0] * len(doc)))
    result = extract_pdf(report_pdf)
    assert result.extractor == PDFMINER
    assert "no text" in result.warnings[0]
    assert "mation systems this year." in _all_text(result)


def test_falls_back_to_pdfminer_when_pymupdf_fails(report_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(doc: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pdf_text, "_pymupdf_pages", broken)
    result = extract_pdf(report_pdf)
    assert result.extractor == PDFMINER and "boom" in result.warnings[0]


def test_encrypted_pdf_is_a_one_line_error(pdfs) -> None:
    path = pdfs.encrypted()
    with pytest.raises(RecipeError, match="locked.pdf: encrypted") as err:
        extract_pdf(path)
    assert "\n" not in str(err.value)


def test_truncated_pdf_is_an_error(pdfs) -> None:
    with pytest.raises(RecipeError, match="cut.pdf: truncated"):
        extract_pdf(pdfs.truncated())


def test_corrupt_pdf_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"this is not a pdf at all\n%%EOF\n")
    with pytest.raises(RecipeError, match="junk.pdf: corrupt PDF"):
        extract_pdf(path)


def test_scanned_pdf_says_ocr_is_needed(pdfs) -> None:
    with pytest.raises(RecipeError, match="scan.pdf: scanned PDF .*OCR is needed"):
        extract_pdf(pdfs.image_only())


def test_a_rotated_page_is_read_in_the_frame_a_reader_sees(tmp_path: Path) -> None:
    """/Rotate 90 with its text drawn turned back: upright to a reader, so its lines are rows, not one table row."""
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=700)
    for i in range(4):
        page.insert_text((100 + 16 * i, 650), f"第{i + 1}条 住宿费每天不超过{300 + 50 * i}元。", fontname="china-s", rotate=90)
    page.set_rotation(90)
    doc.save(tmp_path / "rotated.pdf")
    result = extract_pdf(tmp_path / "rotated.pdf")
    assert result.heights == [400]
    lines = [line for block in result.pages[0] for line in block]
    assert all(0 <= line.y0 < line.y1 <= 400 and line.x1 - line.x0 > line.y1 - line.y0 for line in lines)
    text = load_document(tmp_path / "rotated.pdf").text.text
    assert text.splitlines() == [f"第{i + 1}条 住宿费每天不超过{300 + 50 * i}元。" for i in range(4)]


SAMPLES = Path(__file__).parent / "samples"


def test_a_page_read_through_a_font_without_unicode_map_is_read_again_by_pdfminer() -> None:
    result = extract_pdf(SAMPLES / "issue-791-non-unicode-cmap.pdf")
    text = " ".join(line.text for block in result.pages[0] for line in block)
    assert "Peněžní prostředky na účtech" in text and "3HQ" not in text
    assert result.extractor == f"{PYMUPDF} + {PDFMINER} (pages 1)"
    assert any("page(s) 1 was unreadable" in w for w in result.warnings)


def test_readable_pages_stay_pymupdf_s(report_pdf: Path) -> None:
    result = extract_pdf(SAMPLES / "dmca.pdf")
    assert result.extractor == PYMUPDF and result.warnings == []
