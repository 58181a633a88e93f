"""The quantities of a clause as the extractive teacher needs them: where they are written and how to ask for them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from slm_recipes.text import zh_numerals
from slm_recipes.text.numbers import extract_quantities

LEADING_NUMBER = re.compile(rf"^(?:[\d.,]+|[{zh_numerals.COUNTING}]+)")


@dataclass(frozen=True)
class Span:
    """A number with its unit (or a date) as written: text == clause[start:end]; `unit` is the canonical unit."""

    start: int
    end: int
    text: str
    unit: str
    value: str

    @property
    def written_unit(self) -> str:
        """The unit as written after the number: 万元, 个工作日, %; "/3" for a fraction."""
        return LEADING_NUMBER.sub("", self.text)

    @property
    def is_date(self) -> bool:
        return self.unit == "date"


def find_quantities(text: str) -> list[Span]:
    """Numbers stated with a unit, dates and fractions (1/3), via `slm_recipes.text.numbers`; bare numbers are skipped."""
    found: list[Span] = []
    for quantity in extract_quantities(text):
        start, end = quantity.span
        fraction = re.match(r"/\d+", text[end:])
        if not quantity.unit and fraction and not (found and found[-1].end == start - 1):
            end += fraction.end()
            found.append(Span(start, end, text[start:end], "/", quantity.value))
        elif quantity.unit:
            found.append(Span(start, end, text[start:end], quantity.unit, quantity.value))
    return found
