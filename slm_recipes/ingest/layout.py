"""Page-level layout repair on positioned lines: table rows onto one line, running headers and footers out.

Works on the geometry both extractors give, so PyMuPDF and pdfminer.six output is cleaned alike.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from slm_recipes.ingest.cleaning import SourceLine
from slm_recipes.ingest.structure import CELL_SEPARATOR

_PAGE_NUMBER = re.compile(
    r"^\s*(?:第\s*\d+\s*页(?:\s*[/,，]?\s*共\s*\d+\s*页)?|[-–—]?\s*\d+\s*[-–—]?|page\s+\d+(?:\s+of\s+\d+)?|\d+\s*/\s*\d+)\s*$",
    re.IGNORECASE,
)
# A page number inside a running line: at its start or end, after "page"/"p.", or 第 N 页 (with its total).
_PAGE_REFERENCE = re.compile(
    r"^\s*\d+\b|\b\d+\s*$|(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?|第\s*\d+\s*页(?:\s*[/,，]?\s*共\s*\d+\s*页)?",
    re.IGNORECASE,
)
_EDGE_LINES = 2
_MIN_PAGES_FOR_REPEATS = 3
_MARGIN = 0.15  # running lines sit in the outer 15% of the page (a US Letter header 1 inch down is at 10-11%)


class Line(NamedTuple):
    """A line of text with its box (points, y grows downwards); a tuple because pages hold thousands."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    def same_row(self, other: Line) -> bool:
        """True when the two lines share a baseline band, as cells of one table row do."""
        overlap = min(self.y1, other.y1) - max(self.y0, other.y0)
        return overlap > 0.5 * min(self.y1 - self.y0, other.y1 - other.y0)


Block = list[Line]


#: The first "cell" of a list item, not of a table: a bullet, `1.`, `(a)`, `一、`, `（二）`.
_LIST_MARKER = re.compile(
    r"^(?:[•·▪●○◦■□◆◇►▶➢✓✔❖*!\-–—]|\(?\d{1,3}[.)、]|\(?[A-Za-z][.)]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]{1,3}[)）])$"
)


def _merge(cells: list[Line], separator: str) -> Line:
    cells = sorted(cells, key=lambda c: c.x0)
    return Line(
        min(c.x0 for c in cells), min(c.y0 for c in cells), max(c.x1 for c in cells), max(c.y1 for c in cells),
        separator.join(c.text.strip() for c in cells),
    )


def _is_vertical(line: Line) -> bool:
    """A line that runs down the page (a rotated label, vertical CJK): never a cell of a horizontal row."""
    return line.y1 - line.y0 > 1.5 * (line.x1 - line.x0) and len(line.text.strip()) > 1


def _aligned(row: list[Line], other: list[Line], tolerance: float) -> bool:
    """Same number of cells, each starting or ending where the other row's does: the columns of one table."""
    return len(row) == len(other) and all(
        abs(a.x0 - b.x0) <= tolerance or abs(a.x1 - b.x1) <= tolerance for a, b in zip(row, other))


def _cells_of(blocks: list[Block]) -> list[list[list[Line]]]:
    """Each block as rows of cells: cells of a row are either consecutive lines of one block on one baseline
    (PyMuPDF) or single-line blocks on one baseline (pdfminer.six), which then join the first one's block."""
    rows: list[list[list[Line]]] = []
    for block in blocks:
        cells: list[list[Line]] = []
        for line in block:
            last = cells[-1][-1] if cells else None
            if (last is not None and line.y0 < last.y1 and last.same_row(line) and line.x0 >= last.x1
                    and not _is_vertical(line) and not _is_vertical(last)):
                cells[-1].append(line)
            else:
                cells.append([line])
        rows.append(cells)
    out: list[list[list[Line]]] = []
    claimed: set[int] = set()
    for i, block in enumerate(rows):
        if i in claimed:
            continue
        if len(block) != 1 or len(block[0]) != 1 or _is_vertical(block[0][0]):
            out.append(block)
            continue
        row = list(block[0])
        for j in range(i + 1, len(rows)):
            other = rows[j]
            if (j not in claimed and len(other) == 1 and len(other[0]) == 1 and not _is_vertical(other[0][0])
                    and other[0][0].same_row(row[0])):
                row.append(other[0][0])
                claimed.add(j)
        out.append([sorted(row, key=lambda c: c.x0)])
    return out


def merge_table_rows(blocks: list[Block]) -> list[Block]:
    """Put each table row on one line, its cells joined by ` | `.

    A row of cells on one baseline is a table row only when another row of the page lines up with it (as
    many cells, starting or ending at the same x): a table has columns. A lone row (a header line split at a
    wide gap, justified prose with wide spaces) and a list item (a bullet or `1.` then its text) are one line
    of text, joined by a space. Multi-line blocks side by side are columns of running text, not cells, and are
    left alone (columns.py reads those).
    """
    blocks_of_rows = _cells_of(blocks)
    multi = [row for block in blocks_of_rows for row in block if len(row) > 1]
    heights = sorted(line.y1 - line.y0 for row in multi for line in row)
    tolerance = max(4.0, heights[len(heights) // 2] / 2) if heights else 4.0
    table = {id(row) for row in multi if not _LIST_MARKER.match(row[0].text.strip())
             and any(other is not row and _aligned(row, other, tolerance) for other in multi)}
    return [[(_merge(row, CELL_SEPARATOR if id(row) in table else " ") if len(row) > 1 else row[0]) for row in block]
            for block in blocks_of_rows]


def _edge_lines(blocks: list[Block], height: float) -> list[Line]:
    """The top and bottom lines of a page that lie in its margins, where running headers and footers live."""
    top, bottom = height * _MARGIN, height * (1 - _MARGIN)
    lines = [line for block in blocks for line in block]
    above = sorted((line for line in lines if line.y1 <= top), key=lambda line: line.y0)
    below = sorted((line for line in lines if line.y0 >= bottom), key=lambda line: line.y0)
    return above[:_EDGE_LINES] + below[-_EDGE_LINES:]


def _key(line: Line) -> str:
    """The line with its page number masked: `Summary | Page 3` and `Summary | Page 4` are one running line,
    `第1条 …` and `第2条 …` (numbers inside the text) are not."""
    return " ".join(_PAGE_REFERENCE.sub("#", line.text).split())


def remove_running_lines(pages: list[list[Block]], heights: list[float]) -> tuple[list[list[Block]], int]:
    """Drop page numbers and the lines that repeat at the top or bottom of most pages
    (page numbers masked, so 'Page 3' and 'Page 4' count as the same footer). Returns the pages and how many lines went."""
    edges = [_edge_lines(blocks, height) for blocks, height in zip(pages, heights)]
    counts: Counter[str] = Counter()
    for lines in edges:
        counts.update({_key(line) for line in lines})
    repeated = set()
    if len(pages) >= _MIN_PAGES_FOR_REPEATS:
        repeated = {key for key, n in counts.items() if key and n > len(pages) / 2}
    removed = 0
    cleaned: list[list[Block]] = []
    for blocks, lines in zip(pages, edges):
        drop = {id(line) for line in lines if _key(line) in repeated or _PAGE_NUMBER.match(line.text)}
        if not drop:
            cleaned.append([block for block in blocks if block])
            continue
        kept_blocks = []
        for block in blocks:
            kept = [line for line in block if id(line) not in drop]
            removed += len(block) - len(kept)
            if kept:
                kept_blocks.append(kept)
        cleaned.append(kept_blocks)
    return cleaned, removed


def to_source_lines(pages: list[list[Block]]) -> list[SourceLine]:
    """Flatten pages into lines for joining, with block starts marked."""
    return [
        SourceLine(line.text, page_no, index == 0)
        for page_no, blocks in enumerate(pages, start=1)
        for block in blocks
        for index, line in enumerate(block)
    ]
