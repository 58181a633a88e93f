"""PDF text with page geometry: PyMuPDF first; pdfminer.six when PyMuPDF fails or finds no text, and for
each page whose PyMuPDF text does not read like a document (a font without a Unicode map) when pdfminer.six
reads that page markedly better."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from slm_recipes.core.errors import RecipeError
from slm_recipes.ingest.layout import Block, Line
from slm_recipes.ingest.text_quality import readability

PYMUPDF = "pymupdf"
PDFMINER = "pdfminer.six"
_WORD_FLAGS = pymupdf.TEXTFLAGS_WORDS  # what page.get_text("words") uses
#: A page whose text reads worse than this is read again by pdfminer.six; real text scores above 0.9.
READABLE = 0.8
#: How much better pdfminer.six's reading must be to replace PyMuPDF's.
_MARKEDLY = 0.15
_VERTICAL_MIN_LINES = 20  # a page with fewer lines is too short to call its writing vertical


@dataclass
class PdfPages:
    """Positioned text of every page, the extractor that produced it and what went wrong on the way."""

    pages: list[list[Block]]
    heights: list[float]
    extractor: str
    warnings: list[str] = field(default_factory=list)

    def has_text(self) -> bool:
        return any(line.text.strip() for blocks in self.pages for block in blocks for line in block)


def _pymupdf_pages(doc: pymupdf.Document) -> tuple[list[list[Block]], list[float]]:
    """Lines rebuilt from the words of each page's text page (block, line and word numbers in reading
    order): as fast as plain text in MuPDF, and it keeps the boxes that table rows and running headers need.

    The height is the text page's own: the frame the word boxes are in (unrotated, like the words; page.rect
    would be the rotated one, and costs as much again). One plain loop regroups the words, a third faster
    than nested `groupby`s.
    """
    pages, heights = [], []
    for page in doc.pages():  # load_page directly; `for page in doc` range-checks each index twice
        textpage = page.get_textpage(flags=_WORD_FLAGS)
        blocks: list[list[list]] = []
        line: list = []
        block_no = line_no = -1
        for x0, y0, x1, y1, word, block, line_in_block, _ in textpage.extractWORDS():
            if line_in_block != line_no or block != block_no:
                if block != block_no:
                    lines: list[list] = []
                    blocks.append(lines)
                line = [x0, y0, x1, y1, [word], x1, y1]
                lines.append(line)
                block_no, line_no = block, line_in_block
            else:  # the last word's far corner: a line runs across the page or down it
                line[4].append(word)
                line[5], line[6] = x1, y1
        if page.rotation:  # a page shown turned (/Rotate): its lines into the frame a reader sees
            matrix = page.rotation_matrix
            heights.append(page.rect.height)
            pages.append([[Line(*(pymupdf.Rect(x0, y0, max(x1, x9), max(y1, y9)) * matrix), " ".join(words))
                           for x0, y0, x1, y1, words, x9, y9 in lines] for lines in blocks])
            continue
        heights.append(textpage.rect.height)
        pages.append([[Line(x0, y0, max(x1, x9), max(y1, y9), " ".join(words)) for x0, y0, x1, y1, words, x9, y9 in lines]
                      for lines in blocks])
    return pages, heights


def _pdfminer_pages(path: Path, page_numbers: list[int] | None = None,
                    vertical: bool = False) -> tuple[list[list[Block]], list[float]]:
    """pdfminer.six's text boxes (of every page, or of the 0-based `page_numbers`), flipped to top-down
    coordinates like PyMuPDF's; `vertical` turns on its detection of vertical writing (CJK set top to bottom)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

    pages, heights = [], []
    for layout in extract_pages(path, page_numbers=page_numbers, laparams=LAParams(detect_vertical=vertical)):
        height = layout.height
        heights.append(height)
        blocks = []
        for element in layout:
            if not isinstance(element, LTTextContainer):
                continue
            lines = [
                Line(line.x0, height - line.y1, line.x1, height - line.y0, line.get_text().strip())
                for line in element
                if isinstance(line, LTTextLine) and line.get_text().strip()
            ]
            if lines:
                blocks.append(lines)
        pages.append(blocks)
    return pages, heights


def _page_text(blocks: list[Block]) -> str:
    return "\n".join(line.text for block in blocks for line in block)


def _is_vertical_writing(blocks: list[Block], text: str) -> bool:
    """Most lines one character each: PyMuPDF's reading of CJK set top to bottom, one line per character."""
    count = text.count("\n") + 1
    if count < _VERTICAL_MIN_LINES or len(text) > 3 * count:  # lines of several characters on average
        return False
    lines = [line.text.strip() for block in blocks for line in block if line.text.strip()]
    return len(lines) >= _VERTICAL_MIN_LINES and sum(len(text) == 1 for text in lines) > len(lines) / 2


def _reread_unreadable_pages(path: Path, result: PdfPages) -> None:
    """Replace, page by page, PyMuPDF text that reads like mojibake with pdfminer.six's reading of that page
    when it reads markedly better, and vertical writing with pdfminer.six's vertical reading; a page that
    neither reads well is kept and named in the warnings."""
    replaced, vertical, unreadable = [], [], []
    for index, blocks in enumerate(result.pages):
        text = _page_text(blocks)
        score = readability(text)
        upright = not _is_vertical_writing(blocks, text)
        if not text.strip() or score >= READABLE and upright:
            continue
        try:
            pages, heights = _pdfminer_pages(path, [index], vertical=not upright)
        except Exception:  # noqa: BLE001 - pdfminer.six raises many unrelated types; PyMuPDF's reading stays
            pages = []
        if pages and not upright and _page_text(pages[0]).strip():
            result.pages[index], result.heights[index] = pages[0], heights[0]
            vertical.append(index + 1)
        elif pages and readability(_page_text(pages[0])) >= score + _MARKEDLY:
            result.pages[index], result.heights[index] = pages[0], heights[0]
            replaced.append(index + 1)
        elif score < READABLE:
            unreadable.append(index + 1)
    if replaced or vertical:
        result.extractor = f"{PYMUPDF} + {PDFMINER} (pages {_page_list(sorted(replaced + vertical))})"
    if replaced:
        result.warnings.append(f"PyMuPDF's text of page(s) {_page_list(replaced)} was unreadable (a font without a "
                               f"Unicode map); used {PDFMINER} there")
    if vertical:
        result.warnings.append(f"page(s) {_page_list(vertical)} are set vertically; read by {PDFMINER}'s vertical "
                               "layout analysis")
    if unreadable:
        result.warnings.append(f"page(s) {_page_list(unreadable)}: the text does not read like a document (a font "
                               "without a Unicode map?); check the chunks, or OCR the PDF")


def _page_list(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:10])) + (f" and {len(pages) - 10} more" if len(pages) > 10 else "")


def _has_images(doc: pymupdf.Document | None) -> bool:
    return doc is not None and any(page.get_images() for page in doc)


def _is_truncated(path: Path) -> bool:
    """A complete PDF ends with %%EOF (give or take trailing whitespace)."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - 1024))
        return b"%%EOF" not in fh.read()


def extract_pdf(path: Path) -> PdfPages:
    """Read a PDF, recording which extractor was used and why; a PDF we cannot use raises RecipeError."""
    if _is_truncated(path):
        raise RecipeError(f"{path}: truncated PDF (no %%EOF at the end); copy or download it again")
    doc: pymupdf.Document | None = None
    warnings: list[str] = []
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        warnings.append(f"PyMuPDF could not open it ({exc}); used pdfminer.six")
    if doc is not None:
        if doc.needs_pass:
            raise RecipeError(f"{path}: encrypted PDF (password required); save a decrypted copy and ingest that")
        if doc.is_repaired:
            warnings.append("damaged PDF repaired by PyMuPDF; text may be incomplete")
        try:
            result = PdfPages(*_pymupdf_pages(doc), PYMUPDF, warnings)
            if result.has_text():
                _reread_unreadable_pages(path, result)
                return result
            warnings.append("PyMuPDF found no text; used pdfminer.six")
        except RuntimeError as exc:
            warnings.append(f"PyMuPDF failed ({exc}); used pdfminer.six")
    try:
        result = PdfPages(*_pdfminer_pages(path), PDFMINER, warnings)
    except Exception as exc:  # pdfminer.six raises many unrelated types for a broken file
        raise RecipeError(f"{path}: corrupt PDF that neither PyMuPDF nor pdfminer.six can read ({exc})") from exc
    if not result.has_text():
        if _has_images(doc):
            raise RecipeError(f"{path}: scanned PDF with no text layer; OCR is needed (e.g. ocrmypdf) before ingest")
        raise RecipeError(f"{path}: PDF has no text")
    return result
