"""Text keys for comparing questions and answers: normalised text, character n-grams, Jaccard similarity.

Shared by the extractive teacher (question variety), curation (checks, scoring, de-duplication) and tests.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, NFKC (full-width to half-width), punctuation and spaces removed."""
    return _NOT_CONTENT.sub("", unicodedata.normalize("NFKC", text).lower())


def shingles(text: str, n: int = 2) -> set[str]:
    """Character n-grams of the normalised text (the text itself when shorter than n)."""
    return grams(normalise(text), n)


def grams(key: str, n: int = 2) -> set[str]:
    """Character n-grams of an already normalised text."""
    if len(key) <= n:
        return {key} if key else set()
    return {key[i:i + n] for i in range(len(key) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
