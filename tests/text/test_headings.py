"""The one set of heading patterns: chunk boundaries and the extractive teacher's chapters and articles."""

from __future__ import annotations

import re

from slm_recipes.text.headings import ARTICLE_START, CHAPTER_TITLE, CLAUSE_REFERENCE, heading_level


def test_levels_of_chapters_articles_and_items():
    lines = ("第二章 住宿费", "## Travel", "第十六条 出差", "（三）发票", "1. 范围", "住宿费每天600元。")
    assert [heading_level(line) for line in lines] == [2, 2, 1, 1, 1, 0]


def test_chapter_titles_and_article_numbers_are_read_the_same_way():
    assert CHAPTER_TITLE.match("第二章 住宿费").group(1) == "住宿费"
    assert ARTICLE_START.sub("", "第二十一条 伙食补助每天100元。") == "伙食补助每天100元。"
    assert re.fullmatch(CLAUSE_REFERENCE, "第3款") and not re.fullmatch(CLAUSE_REFERENCE, "第3天")
