"""Near-duplicate questions by character-bigram Jaccard similarity, without comparing every pair.

Prefix filtering (as in AllPairs/PPJoin): each question's bigrams are ordered rarest first; two sets
with Jaccard >= t must share a bigram among the first |x| - ceil(t*|x|) + 1 of either. Only kept
questions are indexed, and only under their prefix bigrams, so a record meets few candidates; a cap
on the candidates checked per record bounds the worst case. Runs in about linear time.

Questions that name different numbers (第12分部 / 第13分部, 3天 / 5天) are different questions however
alike their characters: the index is keyed by the question's numerals too, so they never meet.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from slm_recipes.text import zh_numerals
from slm_recipes.text.shingles import grams, normalise

MAX_CANDIDATES = 200
_NUMERALS = re.compile(rf"[\d{zh_numerals.ALL}]+")


def numerals(normalised_question: str) -> tuple[str, ...]:
    """The digit and Chinese-numeral runs of a normalised question, in order."""
    return tuple(_NUMERALS.findall(normalised_question))


def near_duplicates(questions: Sequence[str], order: Sequence[int], threshold: float,
                    max_candidates: int = MAX_CANDIDATES) -> dict[int, int]:
    """Walk `order` (best record first); map each index whose question is within `threshold` of an
    earlier kept one to that kept index. Indexes not in the result are kept."""
    normalised = {i: normalise(questions[i]) for i in order}
    sets = {i: grams(normalised[i]) for i in order}
    frequency = Counter(gram for i in order for gram in sets[i])
    keys = {i: numerals(normalised[i]) for i in order}
    index: dict[tuple[tuple[str, ...], str], list[int]] = defaultdict(list)
    duplicate_of: dict[int, int] = {}
    for i in order:
        ordered = sorted(sets[i], key=lambda g: (frequency[g], g))
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1] if ordered else []
        match = _first_match(i, [(keys[i], gram) for gram in prefix], sets, index, threshold, max_candidates)
        if match is not None:
            duplicate_of[i] = match
            continue
        for gram in prefix:
            index[keys[i], gram].append(i)
    return duplicate_of


def _first_match(i: int, prefix: list[tuple[tuple[str, ...], str]], sets: dict[int, set[str]], index: dict,
                 threshold: float, max_candidates: int) -> int | None:
    own = sets[i]
    if not own:
        return None
    low, high = threshold * len(own), len(own) / threshold
    seen: set[int] = set()
    for gram in prefix:
        for j in index.get(gram, ()):
            if j in seen:
                continue
            seen.add(j)
            other = sets[j]
            if low <= len(other) <= high:
                shared = len(own & other)
                if shared / (len(own) + len(other) - shared) >= threshold:
                    return j
            if len(seen) >= max_candidates:
                return None
    return None
