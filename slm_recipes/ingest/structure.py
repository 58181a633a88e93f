"""Patterns of document structure shared by cleaning and chunking: headings, clauses, numbers, sentence ends."""

from __future__ import annotations

import re

_CN_NUM = "一二三四五六七八九十百千零〇两"

#: Chapter-level headings: a chunk boundary here is best of all.
SECTION_HEADING = re.compile(
    rf"^[ \t]*(第[{_CN_NUM}\d]+[编章节]|#{{1,6}}[ \t]|(?:Chapter|Part|Section)[ \t]+[\dIVXLC]+\b)"
)
#: Article-level headings and numbered items: the next-best boundary.
ARTICLE_HEADING = re.compile(
    rf"^[ \t]*(第[{_CN_NUM}\d]+条|[{_CN_NUM}]+、|[（(][{_CN_NUM}]+[)）]|\d+(?:\.\d+)*[.、．](?!\d)"
    rf"|Article[ \t]+\d+\b|[-*•][ \t])"
)
#: Spans that must never be cut: numbers (with separators, decimals, %), clause references, Latin words.
UNBREAKABLE = re.compile(
    rf"\d[\d,.，．]*\d%?|\d%?|第[{_CN_NUM}\d]+[编章节条款项]|[A-Za-z]+(?:[-'][A-Za-z]+)*"
)
#: End of a sentence: CJK terminators, or Latin ones followed by a space or the end (not 3.5).
SENTENCE_END = re.compile(r"[。！？；!?;][”’」』）)\"']*|\.(?=\s|$)[”’\"')]*")
#: Weaker places to cut a sentence that alone exceeds the budget.
CLAUSE_END = re.compile(r"[，、：,:][ \t]*|\s+")

CELL_SEPARATOR = " | "
_HEADING_STARTS = set(f"第#（(-*•CPSA0123456789{_CN_NUM}")


def heading_level(line: str) -> int:
    """2 for a section heading, 1 for an article heading or list item, 0 otherwise."""
    if line.lstrip()[:1] not in _HEADING_STARTS:
        return 0
    if SECTION_HEADING.match(line):
        return 2
    if ARTICLE_HEADING.match(line):
        return 1
    return 0
