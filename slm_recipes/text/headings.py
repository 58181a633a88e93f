"""Headings of structured documents (章, 条, numbered items, Markdown), shared by chunking and the extractive teacher."""

from __future__ import annotations

import re

from slm_recipes.text import zh_numerals

_NUMBER = rf"[{zh_numerals.COUNTING}\d]+"
#: 第三章, 第二节, 第一编: the chapter-level number.
CHAPTER_NUMBER = rf"第{_NUMBER}[编章节]"
#: 第十六条: an article number.
ARTICLE_NUMBER = rf"第{_NUMBER}条"
#: A clause reference of any level (第十六条, 第3章, 第二款), never to be cut.
CLAUSE_REFERENCE = rf"第{_NUMBER}[编章节条款项]"

#: Chapter-level headings: a chunk boundary here is best of all.
SECTION_HEADING = re.compile(rf"^[ \t]*({CHAPTER_NUMBER}|#{{1,6}}[ \t]|(?:Chapter|Part|Section)[ \t]+[\dIVXLC]+\b)")
#: Article-level headings and numbered items: the next-best boundary.
ARTICLE_HEADING = re.compile(
    rf"^[ \t]*({ARTICLE_NUMBER}|[{zh_numerals.COUNTING}]+、|[（(][{zh_numerals.COUNTING}]+[)）]|\d+(?:\.\d+)*[.、．](?!\d)"
    rf"|Article[ \t]+\d+\b|[-*•][ \t])"
)
#: A line that is a chapter heading with its title (第二章 住宿费): the title is group 1.
CHAPTER_TITLE = re.compile(rf"^{CHAPTER_NUMBER}\s*(\S.{{0,24}})$")
#: The article number that opens a line (第五条 ), to be cut off the clause after it.
ARTICLE_START = re.compile(rf"^{ARTICLE_NUMBER}\s*")

_HEADING_STARTS = set(f"第#（(-*•CPSA0123456789{zh_numerals.COUNTING}")


def heading_level(line: str) -> int:
    """2 for a section heading, 1 for an article heading or list item, 0 otherwise."""
    if line.lstrip()[:1] not in _HEADING_STARTS:
        return 0
    if SECTION_HEADING.match(line):
        return 2
    if ARTICLE_HEADING.match(line):
        return 1
    return 0
