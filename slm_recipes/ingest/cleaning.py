"""Text-level cleaning: number normalisation and re-joining lines broken inside a sentence.

Every edit keeps the page of each character, so chunks can cite pages exactly.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from slm_recipes.ingest.document import DocumentText
from slm_recipes.ingest.structure import CELL_SEPARATOR
from slm_recipes.text.headings import heading_level

_FULLWIDTH_DIGITS = list(zip("０１２３４５６７８９", "0123456789"))
# Each pattern starts with its full-width mark, so the regex engine scans for that literal; the
# lookbehind then checks the digit before it (same matches as a leading (?<=\d), several times faster).
_THOUSANDS = re.compile(r"，(?<=\d，)(?=\d{3}(?!\d))")
_DECIMAL = re.compile(r"．(?<=\d．)(?=\d)")
_PERCENT = re.compile(r"％(?<=\d％)")
_CLOSERS = "”’」』）)\"'"
_SENTENCE_ENDS = set("。！？；.!?;:：")


def _is_cjk(ch: str) -> bool:
    """CJK ideographs and CJK/full-width punctuation: characters written without spaces between them."""
    return "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\uffef" or ch in "“”‘’"


def normalise_numbers(line: str) -> str:
    """Full-width digits and the full-width marks inside numbers become ASCII (１２０元 → 120元,
    1，000 → 1,000), so later stages match numbers exactly; a list comma (1，2) is left alone."""
    for wide, ascii_digit in _FULLWIDTH_DIGITS:  # hundreds of times faster than str.translate on CJK text
        if wide in line:
            line = line.replace(wide, ascii_digit)
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


def _joint(prev: str, nxt: str, next_is_heading: bool) -> str | None:
    """What goes between two lines of one paragraph: '' or ' ' to re-join, None to keep the break."""
    if next_is_heading or prev.rstrip(_CLOSERS)[-1:] in _SENTENCE_ENDS:
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


def _wrapped(prev: str, widest: int, nxt: str, joint: str | None) -> bool:
    """Whether a new block continues the previous line's sentence: PDF writers often put each
    line in a block of its own. A line that fills the page's width was wrapped; a short one (a
    title) was not, and an English capitalised line starts something new."""
    return joint is not None and len(prev) >= 0.8 * widest and not (joint == " " and not nxt[0].islower())


def join_lines(lines: list[SourceLine], page_count: int) -> DocumentText:
    """Join lines into paragraphs, one per output line; a break inside a sentence is re-joined
    (no space between CJK characters, a hyphen at a line end removed before a lower-case word).
    Numbers are normalised last, in one pass; it changes no lengths, so page offsets hold.
    A block boundary is re-joined only after a full-width line (see `_wrapped`) or across a page."""
    stripped = [(raw.strip(), page, new_block) for raw, page, new_block in lines]
    widest: dict[int, int] = {}
    for text, page, _ in stripped:
        if len(text) > widest.get(page, 0):
            widest[page] = len(text)
    parts: list[str] = []
    page_starts = [0] * page_count
    next_page = 1
    length = 0
    prev_page, prev_text, prev_heading = 0, "", False
    for text, page, new_block in stripped:
        if not text:
            continue
        heading = heading_level(text) > 0
        if parts:
            joint = _joint(prev_text, text, heading)
            # a heading line that fills the width is an article's first line (第七条 未经审批…), not a title
            must_wrap = (new_block and page == prev_page) or prev_heading
            if must_wrap and not _wrapped(prev_text, widest[page], text, joint):
                joint = None
            if joint is None:
                parts.append("\n")
                length += 1
            elif joint == "-":
                parts[-1] = prev_text[:-1]
                length -= 1
            elif joint:
                parts.append(joint)
                length += len(joint)
        if page >= next_page:
            page_starts[next_page - 1:page] = [length] * (page - next_page + 1)
            next_page = page + 1
        parts.append(text)
        length += len(text)
        prev_page, prev_text, prev_heading = page, text, heading
    page_starts[next_page - 1:] = [length] * (page_count - next_page + 1)
    return DocumentText(normalise_numbers("".join(parts)), page_starts)
