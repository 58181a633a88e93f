"""Cut cleaned text into chunks within a token budget, at the strongest structural boundary available.

Boundaries, strongest first: section heading (第X章, #), article heading (第X条, 一、, 1.),
paragraph, sentence end, and only for a sentence longer than the budget a clause or word break.
No cut ever falls inside a number, a clause reference such as 第十六条, or a Latin word.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import accumulate, pairwise
from typing import NamedTuple

from slm_recipes.ingest.structure import CLAUSE_END, SENTENCE_END, UNBREAKABLE
from slm_recipes.text.headings import heading_level

SECTION, ARTICLE, PARAGRAPH, SENTENCE, CLAUSE = 4, 3, 2, 1, 0
_PARAGRAPH = re.compile(r"[^\n]*\n*")
#: A sentence end and the spaces after it, which stay with the sentence.
_SENTENCE_CUT = re.compile(rf"(?:{SENTENCE_END.pattern})[ \t]*")


class Unit(NamedTuple):
    """A piece of text that is never cut, its token count, and how strong a boundary its start is."""

    start: int
    end: int
    tokens: int
    strength: int


def _split_long(text: str, start: int, end: int, tokens: int, budget: int,
                count: Callable[[str], int]) -> list[tuple[int, int, int]]:
    """Pieces (start, end, tokens) of one sentence of `tokens` tokens, over budget: cut at the furthest
    clause break that fits, else the furthest character break that fits; never inside an unbreakable
    span, so an oversized number stays whole. Each piece is counted once, during the search."""
    forbidden = set()
    for match in UNBREAKABLE.finditer(text, start, end):
        forbidden.update(range(match.start() + 1, match.end()))
    allowed = [p for p in range(start + 1, end) if p not in forbidden]
    clause = [m.end() for m in CLAUSE_END.finditer(text, start, end) if start < m.end() < end and m.end() not in forbidden]
    pieces = []
    cur, rest = start, tokens
    while rest > budget:
        fits = _furthest_fitting(text, cur, [p for p in clause if p > cur], budget, count)
        if fits is None:
            fits = _furthest_fitting(text, cur, [p for p in allowed if p > cur], budget, count)
        if fits is None:
            later = [p for p in allowed if p > cur]
            if not later:
                break
            fits = (later[0], count(text[cur:later[0]]))
        pieces.append((cur, fits[0], fits[1]))
        cur = fits[0]
        rest = count(text[cur:end])
    pieces.append((cur, end, rest))
    return pieces


def _furthest_fitting(text: str, cur: int, points: list[int], budget: int,
                      count: Callable[[str], int]) -> tuple[int, int] | None:
    """Binary search for the last point p with count(text[cur:p]) within budget (counts grow with p),
    and that count."""
    lo, hi, best = 0, len(points) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        tokens = count(text[cur:points[mid]])
        if tokens <= budget:
            best, lo = (points[mid], tokens), mid + 1
        else:
            hi = mid - 1
    return best


def segment(text: str, budget: int, count: Callable[[str], int]) -> list[Unit]:
    """Units covering `text` end to end: sentences, each tagged with the boundary strength at its start.
    Sentence ends are found in one pass over the whole text, and each unit is counted once."""
    units: list[Unit] = []
    cuts = [match.end() for match in _SENTENCE_CUT.finditer(text)]
    for para in _PARAGRAPH.finditer(text):
        start, end = para.span()
        if start == end:
            continue
        paragraph = para.group()
        level = heading_level(paragraph)
        strength = SECTION if level == 2 else ARTICLE if level == 1 else PARAGRAPH
        # a cut must leave a non-blank character after it in the paragraph
        inside = cuts[bisect_right(cuts, start):bisect_left(cuts, start + len(paragraph.rstrip()))]
        bounds = [start, *inside, end]
        for a, b in pairwise(bounds):
            tokens = count(text[a:b])
            if tokens <= budget:
                units.append(Unit(a, b, tokens, strength))
            else:
                for i, (x, y, n) in enumerate(_split_long(text, a, b, tokens, budget, count)):
                    units.append(Unit(x, y, n, strength if i == 0 else CLAUSE))
            strength = SENTENCE
    return units


def _best_break(units: list[Unit], prefix: list[int], first: int, fresh: int, limit: int, min_tokens: int) -> int:
    """Among the breaks after `fresh` (the first unit not yet in any chunk) that leave at least
    `min_tokens` in the chunk, the strongest; the latest wins a tie."""
    best = limit
    for k in range(limit - 1, max(first, fresh), -1):
        if prefix[k] - prefix[first] < min_tokens:
            break
        if units[k].strength > units[best].strength:
            best = k
    return best


def chunk_spans(text: str, count: Callable[[str], int], budget: int, overlap: int) -> list[tuple[int, int]]:
    """[start, end) character spans of the chunks of `text`, trimmed of surrounding whitespace.

    A chunk's size is the sum of its units' token counts, so each unit is counted once. Overlap repeats
    whole sentences from the end of the previous chunk, up to `overlap` tokens.
    """
    if budget < 1:
        raise ValueError("chunk_tokens must be at least 1")
    units = segment(text, budget, count)
    prefix = [0, *accumulate(u.tokens for u in units)]
    spans: list[tuple[int, int]] = []
    first = fresh = 0
    while first < len(units):
        limit = max(bisect_right(prefix, prefix[first] + budget) - 1, fresh + 1)
        if limit < len(units):
            limit = _best_break(units, prefix, first, fresh, limit, budget // 2)
        start, end = units[first].start, units[limit - 1].end
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
        if limit >= len(units):
            break
        fresh = nxt = limit
        while units[limit].strength < SECTION and nxt - 1 > first and prefix[limit] - prefix[nxt - 1] <= min(overlap, budget - units[limit].tokens):
            nxt -= 1
        first = nxt
    return spans
