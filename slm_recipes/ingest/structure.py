"""Patterns of document structure shared by cleaning and chunking: clauses, numbers, sentence ends.

Headings are `slm_recipes.text.headings`, shared with the extractive teacher.
"""

from __future__ import annotations

import re

from slm_recipes.text.headings import CLAUSE_REFERENCE

#: Spans that must never be cut: numbers (with separators, decimals, %), clause references, Latin words.
UNBREAKABLE = re.compile(
    rf"\d[\d,.，．]*\d%?|\d%?|{CLAUSE_REFERENCE}|[A-Za-z]+(?:[-'][A-Za-z]+)*"
)
#: End of a sentence: CJK terminators, or Latin ones followed by a space or the end (not 3.5).
SENTENCE_END = re.compile(r"[。！？；!?;][”’」』）)\"']*|\.(?=\s|$)[”’\"')]*")
#: Weaker places to cut a sentence that alone exceeds the budget.
CLAUSE_END = re.compile(r"[，、：,:][ \t]*|\s+")

CELL_SEPARATOR = " | "
