"""Whether a question is well formed: the one rule the extractive teacher writes its questions by and curation
judges every teacher's questions by (`malformed`).

A well-formed question ends once, with a question mark, right after words (never `，？`); holds no clause list
(`；`) and no second question; opens with no list marker or punctuation; has its brackets closed; and does not stop
right after asking how long before saying what is done (`…之日起多少日内？`).
"""

from __future__ import annotations

import re

from slm_recipes.text.lexicon import Lexicon

QUESTION_MARKS = "？?"
_OPENING = re.compile(r"^\s*(?:[（(][一二三四五六七八九十百\d]+[)）]|[一二三四五六七八九十百]+、|\d+[.、．](?!\d)|[，。、；：,.;:！!？?（(）)])")
_BEFORE_MARK = "，,、；;：:（(“\"'"
_BRACKETS = (("（", "）"), ("(", ")"), ("“", "”"), ("《", "》"), ("【", "】"))


def question_problems(question: str, lexicon: Lexicon) -> list[str]:
    """Why `question` is malformed; [] when it is well formed."""
    text = question.strip()
    problems = []
    if not text or text[-1] not in QUESTION_MARKS:
        problems.append("no question mark at the end")
    elif len(text) > 1 and text[-2] in _BEFORE_MARK:
        problems.append(f"punctuation before the question mark ({text[-2:]})")
    if sum(text.count(mark) for mark in QUESTION_MARKS) > 1:
        problems.append("two questions in one")
    if "；" in text or ";" in text:
        problems.append("a clause list in the question")
    if _OPENING.match(text):
        problems.append("opens with a list marker or punctuation")
    if any(text.count(a) != text.count(b) for a, b in _BRACKETS):
        problems.append("an unclosed bracket")
    body = text.rstrip(QUESTION_MARKS)
    asked = max((body.rfind(word) for word in lexicon.asking), default=-1)
    if asked >= 0 and any(body.endswith(end) for end in lexicon.unfinished_endings) and len(body) - asked <= 6:
        problems.append("stops after asking how long, before saying what is done")
    return problems
