"""Pages set in columns of running text, read column by column instead of across.

Some extractors give a multi-column page row by row (PyMuPDF puts the three lines that share a baseline in
one block), so the columns come out interleaved line by line. A column is found from the lines themselves:
many lines start at one x position, its lines stay clear of the next column, and they are long (running
text is many characters wide; the cells of a table are not, so tables are left to the row merger).
"""

from __future__ import annotations

from statistics import median

from slm_recipes.ingest.layout import Block, Line

_MIN_LINES = 5  # lines that start a column's edge
_MIN_EM = 8  # median width of a column's lines, in line heights: running text, not table cells
_CROSSING = 0.1  # share of a column's lines that may run into the next one (a stray long line)
_PARAGRAPH_GAP = 1.6  # a vertical gap this many line heights wide starts a new paragraph block


def _column_lefts(lines: list[Line], height: float) -> list[float]:
    """x positions where a column of running text begins (at least two), or [] for a one-column page."""
    starts = sorted(line.x0 for line in lines)
    clusters: list[list[float]] = []
    for x in starts:
        if clusters and x - clusters[-1][-1] <= height:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    lefts = [c[0] for c in clusters if len(c) >= max(_MIN_LINES, len(lines) // 10)]
    kept: list[float] = []
    for left in lefts:
        before = [line for line in lines if (kept[-1] if kept else -1.0) - height <= line.x0 < left - height]
        if not kept:
            kept.append(left)
            continue
        crossing = sum(line.x1 > left for line in before)
        if before and crossing <= _CROSSING * len(before):
            kept.append(left)
    if len(kept) < 2:
        return []
    for i, left in enumerate(kept):
        right = kept[i + 1] if i + 1 < len(kept) else float("inf")
        widths = [line.x1 - line.x0 for line in lines if left - height <= line.x0 < right - height and line.x1 <= right]
        if not widths or median(widths) < _MIN_EM * height:
            return []
    return kept


def _blocks_of(lines: list[Line], height: float) -> list[Block]:
    """A column's lines top to bottom, a new block at each paragraph gap."""
    blocks: list[Block] = []
    for line in sorted(lines, key=lambda line: line.y0):
        if blocks and line.y0 - blocks[-1][-1].y1 <= (_PARAGRAPH_GAP - 1) * height:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def split_columns(blocks: list[Block]) -> list[list[Block]]:
    """The page as regions in reading order: one region (the blocks as they are) for a one-column page;
    else, band by band between lines that span the columns (titles), each column's blocks in turn."""
    lines = [line for block in blocks for line in block if line.text.strip()]
    if len(lines) < 2 * _MIN_LINES:
        return [blocks]
    height = median(line.y1 - line.y0 for line in lines)
    lefts = _column_lefts(lines, height)
    if not lefts:
        return [blocks]
    bands: list[tuple[Line | None, list[list[Line]]]] = [(None, [[] for _ in lefts])]
    for line in sorted(lines, key=lambda line: line.y0):
        column = max(i for i, left in enumerate(lefts) if line.x0 >= left - height) if line.x0 >= lefts[0] - height else 0
        right = lefts[column + 1] if column + 1 < len(lefts) else float("inf")
        if line.x1 > right + height:  # spans a gutter: a title or a full-width line ends the band
            bands.append((line, [[] for _ in lefts]))
            continue
        bands[-1][1][column].append(line)
    regions: list[list[Block]] = []
    for spanning, columns in bands:
        if spanning is not None:
            regions.append([[spanning]])
        regions += [_blocks_of(column, height) for column in columns if column]
    return regions
