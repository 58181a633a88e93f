"""The 0-100 rubric: numeric accuracy 30, answer completeness 25, question clarity 20,
agreement with the source 15, format 10."""

from __future__ import annotations

import re

from slm_recipes.curate.checks import asks_quantity
from slm_recipes.text.numbers import Quantity, quantity_in
from slm_recipes.text.shingles import shingles

RUBRIC = {"numeric_accuracy": 30, "completeness": 25, "clarity": 20, "agreement": 15, "format": 10}
INTERROGATIVE = re.compile(r"[？?]$|什么|多少|几|哪|谁|何|怎么|怎样|如何|是否|吗|呢|\b(?:what|how|when|where|who|which|why|is|are|can|does)\b",
                           re.IGNORECASE)
VAGUE_START = re.compile(r"^(?:它|这|那|上述|以上|他们|她们)|^(?:this|that|it)\b", re.IGNORECASE)
FORMAT_NOISE = re.compile(r"^\s*(?:答[:：]|回答[:：]|answer\s*:|a\s*:)|\*\*|^#+\s|```|<[a-z/][^>]*>", re.IGNORECASE | re.MULTILINE)


def score(question: str, answer: str, answer_quantities: list[Quantity], chunk_quantities: list[Quantity] | None,
          chunk_shingles: set[str] | None) -> int:
    """Score one pair; the parts are in RUBRIC."""
    return sum(score_parts(question, answer, answer_quantities, chunk_quantities, chunk_shingles).values())


def score_parts(question: str, answer: str, answer_quantities: list[Quantity], chunk_quantities: list[Quantity] | None,
                chunk_shingles: set[str] | None) -> dict[str, int]:
    return {
        "numeric_accuracy": _numeric_accuracy(question, answer_quantities, chunk_quantities),
        "completeness": _completeness(question, answer, answer_quantities),
        "clarity": _clarity(question),
        "agreement": _agreement(answer, chunk_shingles),
        "format": _format(answer),
    }


def _numeric_accuracy(question: str, answer_q: list[Quantity], chunk_q: list[Quantity] | None) -> int:
    if not answer_q:
        return 0 if asks_quantity(question) else RUBRIC["numeric_accuracy"]
    grounded = sum(quantity_in(q, chunk_q) for q in answer_q) if chunk_q is not None else 0
    return round(RUBRIC["numeric_accuracy"] * grounded / len(answer_q))


def _completeness(question: str, answer: str, answer_q: list[Quantity]) -> int:
    points = 15 if answer_q or not asks_quantity(question) else 0
    length = len(answer.strip())
    points += 10 if length >= 8 else 5 if length >= 3 else 0
    return points


def _clarity(question: str) -> int:
    text = question.strip()
    points = 10 if INTERROGATIVE.search(text) else 0
    points += 5 if 6 <= len(text) <= 120 else 0
    points += 0 if VAGUE_START.match(text) else 5
    return points


def _agreement(answer: str, chunk_shingles: set[str] | None) -> int:
    """Share of the answer's character bigrams found in the chunk: half or more earns full marks."""
    if not chunk_shingles:
        return 0
    own = shingles(answer)
    if not own:
        return 0
    share = len(own & chunk_shingles) / len(own)
    return round(RUBRIC["agreement"] * min(1.0, share / 0.5))


def _format(answer: str) -> int:
    points = RUBRIC["format"]
    points -= 4 * len(FORMAT_NOISE.findall(answer))
    points -= 3 if len(answer) > 600 else 0
    points -= 2 if answer != answer.strip() else 0
    return max(0, points)
