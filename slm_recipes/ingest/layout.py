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
_DIGITS = re.compile(r"\d+")
_EDGE_LINES = 2
_MIN_PAGES_FOR_REPEATS = 3
_MARGIN = 0.10  # running lines sit in the outer tenth of the page, above or below the body


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


def _merge(cells: list[Line]) -> Line:
    cells = sorted(cells, key=lambda c: c.x0)
    return Line(
        min(c.x0 for c in cells), min(c.y0 for c in cells), max(c.x1 for c in cells), max(c.y1 for c in cells),
        CELL_SEPARATOR.join(c.text.strip() for c in cells),
    )


def merge_table_rows(blocks: list[Block]) -> list[Block]:
    """Put each table row on one line.

    Cells of a row are either consecutive lines of one block on one baseline (PyMuPDF) or
    single-line blocks on one baseline (pdfminer.six). Multi-line blocks side by side are
    columns of running text, not cells, and are left alone.
    """
    rows: list[Block] = []
    for block in blocks:
        merged: Block = []
        for line in block:
            if merged and line.y0 < merged[-1].y1 and merged[-1].same_row(line) and line.x0 >= merged[-1].x1:
                merged[-1] = _merge([merged[-1], line])
            else:
                merged.append(line)
        rows.append(merged)
    out: list[Block] = []
    claimed: set[int] = set()
    for i, block in enumerate(rows):
        if i in claimed:
            continue
        if len(block) != 1:
            out.append(block)
            continue
        cells = [block[0]]
        for j in range(i + 1, len(rows)):
            if j not in claimed and len(rows[j]) == 1 and rows[j][0].same_row(block[0]):
                cells.append(rows[j][0])
                claimed.add(j)
        out.append([_merge(cells)] if len(cells) > 1 else block)
    return out


def _edge_lines(blocks: list[Block], height: float) -> list[Line]:
    """The top and bottom lines of a page that lie in its margins, where running headers and footers live."""
    top, bottom = height * _MARGIN, height * (1 - _MARGIN)
    lines = [line for block in blocks for line in block]
    above = sorted((line for line in lines if line.y1 <= top), key=lambda line: line.y0)
    below = sorted((line for line in lines if line.y0 >= bottom), key=lambda line: line.y0)
    return above[:_EDGE_LINES] + below[-_EDGE_LINES:]


def _key(line: Line) -> str:
    return " ".join(_DIGITS.sub("#", line.text).split())


def remove_running_lines(pages: list[list[Block]], heights: list[float]) -> tuple[list[list[Block]], int]:
    """Drop page numbers and the lines that repeat at the top or bottom of most pages
    (digits masked, so 'Page 3' and 'Page 4' count as the same footer). Returns the pages and how many lines went."""
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
