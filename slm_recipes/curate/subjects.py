"""Whose number is it: catch an answer that takes a number from the source but gives it to another subject.

A table of amounts by region and staff class states 600元 and 450元 in one chunk; an answer saying
"B类地区 … 600元" when 600元 is region A's passes a plain number check. Here every number of the source
keeps the words that say what it is about: its sentence, or in a table its row's first cell and its
column's header. Of the answer's words, those that tell the source's same-unit numbers apart (some of
their places carry them, not all) are counted at each place: an answer number is misattributed when
another number of the same unit carries more of them than any place of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slm_recipes.text.numbers import Quantity, extract_quantities, quantity_in
from slm_recipes.text.shingles import grams, normalise

CELL_SEPARATOR = " | "
SENTENCE = re.compile(r"[^。！？!?；;]+")


@dataclass(frozen=True)
class Place:
    """Where the source states a number, and the words around it (bigrams, the numbers left out)."""

    quantity: Quantity
    words: frozenset[str]


def words_of(text: str) -> frozenset[str]:
    """Character bigrams of `text` without its numbers, so that 600元 and 450元 leave the same words."""
    kept, at = [], 0
    for q in extract_quantities(text):
        kept.append(text[at:q.span[0]])
        at = q.span[1]
    kept.append(text[at:])
    return frozenset(grams(normalise(" ".join(kept))))


def source_places(text: str) -> list[Place]:
    """Every number of a chunk with its context: its sentence, or in a table its row head and column header."""
    places: list[Place] = []
    header: list[str] | None = None
    prose: list[str] = []  # lines of running text, joined: a layout line break is no sentence end

    def flush() -> None:
        for sentence in SENTENCE.findall("".join(prose)):
            places.extend(Place(q, words_of(sentence)) for q in extract_quantities(sentence))
        prose.clear()

    for line in text.splitlines():
        if CELL_SEPARATOR not in line:
            prose.append(line.strip())
            header = None
            continue
        flush()
        cells = [cell.strip() for cell in line.split(CELL_SEPARATOR)]
        if header is None:  # the first row of a table block names its columns
            header = cells
            places += [Place(q, words_of(cell)) for cell in cells for q in extract_quantities(cell)]
            continue
        for column, cell in enumerate(cells):
            context = " ".join([cells[0], header[column] if column < len(header) else "", cell])
            places += [Place(q, words_of(context)) for q in extract_quantities(cell)]
    flush()
    return places


def misattributed(answer: str, places: list[Place]) -> list[str]:
    """The answer's numbers that the source states for another subject (as written in the answer)."""
    wrong = []
    chunk_words = frozenset().union(*(p.words for p in places)) if places else frozenset()
    for sentence in SENTENCE.findall(answer):
        said = words_of(sentence) & chunk_words
        for q in extract_quantities(sentence):
            same_unit = [p for p in places if p.quantity.unit == q.unit]
            own = [p for p in same_unit if quantity_in(q, [p.quantity])]
            rivals = [p for p in same_unit if not quantity_in(q, [p.quantity])]
            if not own or not rivals:
                continue
            everywhere = frozenset.intersection(*(p.words for p in same_unit))
            distinguishing = {w for w in said - everywhere if any(w in p.words for p in same_unit)}
            if max(len(distinguishing & p.words) for p in rivals) > max(len(distinguishing & p.words) for p in own):
                wrong.append(q.text)
    return wrong
