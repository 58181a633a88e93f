"""Where words begin and end in Chinese (and mixed) text: jieba's segmentation, with a number and its unit
kept whole (jieba splits `61天起` as `61 | 天起`; a quantity is one word here).

The extractive teacher cuts subjects and question stems only at these boundaries, so no question or
answer ever starts inside a word (`济舱机票` out of `经济舱机票`).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from itertools import pairwise

import jieba
import jieba.posseg

from slm_recipes.text.numbers import extract_quantities

jieba.setLogLevel(logging.WARNING)
_READY = threading.Lock()
_initialised = False

#: Parts of speech that never begin or end a noun phrase: prepositions, conjunctions, particles, adverbs,
#: pronouns, numerals and measure words, locatives, modal particles, punctuation.
FUNCTION_TAGS = ("p", "c", "u", "d", "r", "m", "q", "f", "y", "e", "o", "x", "w")


def initialise() -> None:
    """Load jieba's dictionary once, in one thread (it is not safe to load from several at once)."""
    global _initialised
    with _READY:
        if not _initialised:
            jieba.initialize()
            _initialised = True


@lru_cache(maxsize=8192)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """(word, part of speech) pairs covering `text` exactly, a quantity as one word tagged `m`."""
    initialise()
    words = [(w.word, w.flag) for w in jieba.posseg.lcut(text, HMM=True)]
    spans = [q.span for q in extract_quantities(text)]
    if not spans:
        return tuple(words)
    out: list[tuple[str, str]] = []
    cuts = sorted({0, len(text), *_boundaries_of(words), *(s for span in spans for s in span)})
    cuts = [c for c in cuts if not any(a < c < b for a, b in spans)]
    tags = _tags_at(words)
    for start, end in pairwise(cuts):
        flag = "m" if any(a <= start and end <= b for a, b in spans) else tags.get(start, "x")
        out.append((text[start:end], flag))
    return tuple(out)


def words(text: str) -> tuple[str, ...]:
    return tuple(word for word, _ in tagged(text))


def boundaries(text: str) -> frozenset[int]:
    """The offsets where a word begins or ends (0 and len(text) included)."""
    return frozenset(_boundaries_of(tagged(text)))


def is_word_run(piece: str, text: str) -> bool:
    """`piece` occurs in `text` starting and ending on word boundaries (at least once)."""
    if not piece:
        return True
    cuts = boundaries(text)
    at = text.find(piece)
    while at >= 0:
        if at in cuts and at + len(piece) in cuts:
            return True
        at = text.find(piece, at + 1)
    return False


def snap_start(text: str, start: int) -> int:
    """`start` moved to the beginning of the word it falls in, or past that word when it is a function word."""
    word = _word_around(text, start)
    if word is None:
        return start
    begin, end, flag = word
    return end if flag.startswith(FUNCTION_TAGS) else begin


def snap_end(text: str, end: int) -> int:
    """`end` moved to the end of the word it falls in."""
    word = _word_around(text, end)
    return end if word is None else word[1]


def _word_around(text: str, at: int) -> tuple[int, int, str] | None:
    """Start, end and part of speech of the word that `at` falls strictly inside, or None at a boundary."""
    position = 0
    for word, flag in tagged(text):
        end = position + len(word)
        if position < at < end:
            return position, end, flag
        position = end
    return None


def _boundaries_of(words) -> list[int]:
    cuts, at = [0], 0
    for word, *_ in words:
        at += len(word)
        cuts.append(at)
    return cuts


def _tags_at(words) -> dict[int, str]:
    tags, at = {}, 0
    for word, flag in words:
        tags[at] = flag
        at += len(word)
    return tags
