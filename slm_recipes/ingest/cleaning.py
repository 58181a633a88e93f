"""Text-level cleaning: number normalisation and re-joining lines broken inside a sentence.

Every edit keeps the page of each character, so chunks can cite pages exactly.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from slm_recipes.ingest.document import DocumentText
from slm_recipes.ingest.structure import CELL_SEPARATOR, heading_level

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_THOUSANDS = re.compile(r"(?<=\d)，(?=\d{3}(?!\d))")
_DECIMAL = re.compile(r"(?<=\d)．(?=\d)")
_PERCENT = re.compile(r"(?<=\d)％")
_CLOSERS = "”’」』）)\"'"
_SENTENCE_ENDS = set("。！？；.!?;:：")


def _is_cjk(ch: str) -> bool:
    """CJK ideographs and CJK/full-width punctuation: characters written without spaces between them."""
    return "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" or ch in "“”‘’"


def normalise_numbers(line: str) -> str:
    """Full-width digits and the full-width marks inside numbers become ASCII (１２０元 → 120元,
    1，000 → 1,000), so later stages match numbers exactly; a list comma (1，2) is left alone."""
    line = line.translate(_FULLWIDTH_DIGITS)
    if "，" in line:
        line = _THOUSANDS.sub(",", line)
    if "．" in line:
        line = _DECIMAL.sub(".", line)
    if "％" in line:
        line = _PERCENT.sub("%", line)
    return line


class SourceLine(NamedTuple):
    """One extracted line: its text, 1-based page, and whether a new block (paragraph, cell, column) starts here."""

    text: str
    page: int
    new_block: bool


def _joint(prev: str, nxt: str, either_heading: bool) -> str | None:
    """What goes between two lines of one paragraph: '' or ' ' to re-join, None to keep the break."""
    if either_heading or prev.rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDS:
        return None
    if CELL_SEPARATOR in prev or CELL_SEPARATOR in nxt:
        return None
    last, first = prev[-1], nxt[0]
    if last == "-" and prev[-2:-1].isascii() and prev[-2:-1].isalpha() and first.islower():
        return "-"
    if _is_cjk(last) or _is_cjk(first):
        return ""
    if last.isalnum() or last in ",-–(" or first.islower():
        return " "
    return None


def join_lines(lines: list[SourceLine], page_count: int) -> DocumentText:
    """Join lines into paragraphs, one per output line; a break inside a sentence is re-joined
    (no space between CJK characters, a hyphen at a line end removed before a lower-case word).
    Numbers are normalised last, in one pass; it changes no lengths, so page offsets hold.
    A block boundary keeps its break, except where a page ends inside a sentence."""
    parts: list[str] = []
    page_starts = [0] * page_count
    next_page = 1
    length = 0
    prev: SourceLine | None = None
    prev_text, prev_heading = "", False
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        heading = bool(heading_level(text))
        if prev is not None:
            joint = None
            if not line.new_block or line.page != prev.page:
                joint = _joint(prev_text, text, heading or prev_heading)
            if joint == "-":
                parts[-1] = parts[-1][:-1]
                length -= 1
                joint = ""
            separator = "\n" if joint is None else joint
            parts.append(separator)
            length += len(separator)
        while next_page <= line.page:
            page_starts[next_page - 1] = length
            next_page += 1
        parts.append(text)
        length += len(text)
        prev, prev_text, prev_heading = line, text, heading
    while next_page <= page_count:
        page_starts[next_page - 1] = length
        next_page += 1
    return DocumentText(normalise_numbers("".join(parts)), page_starts)
