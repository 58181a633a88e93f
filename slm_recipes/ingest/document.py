"""Cleaned document text that remembers the page of every character."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentText:
    """`page_starts[i]` is the offset in `text` where page i+1 begins (a page without text
    starts where the next one does), so a character's page is found by bisection."""

    text: str
    page_starts: list[int]

    def page_of(self, offset: int) -> int:
        """1-based page of the character at `offset`."""
        return max(1, bisect_right(self.page_starts, offset))

    def pages_of(self, start: int, end: int) -> tuple[int, int]:
        """First and last page of the span [start, end)."""
        return self.page_of(start), self.page_of(max(start, end - 1))
