"""Which passage answers a question: the one that states the reference's numbers and shares most of its words.

Used where the gold passage must be known: RAFT training puts it into the prompt when the retriever
misses it, and the evaluation scores recall@k and citations against it. A record's `chunk_id`
narrows the search to that chunk when the index holds it (a pipeline's own pairs); person-written
questions with other ids are matched over every passage.
"""

from __future__ import annotations

from functools import lru_cache

from slm_recipes.retrieval.passages import Passage
from slm_recipes.text.numbers import Quantity, extract_quantities, quantity_in
from slm_recipes.text.shingles import shingles


def gold_passage(passages: list[Passage], reference: str, chunk_id: str | None = None) -> Passage | None:
    """The passage best supporting `reference`, or None when no passage shares a word pair with it."""
    own = [p for p in passages if chunk_id and p.chunk_id == chunk_id]
    candidates = own or passages
    wanted = extract_quantities(reference)
    reference_pairs = shingles(reference)
    best, best_key = None, (0, 0.0)
    for passage in candidates:
        stated, pairs = _support(passage.text)
        numbers = sum(quantity_in(q, stated) for q in wanted)
        key = (numbers, len(reference_pairs & pairs) / max(len(reference_pairs), 1))
        if key > best_key:
            best, best_key = passage, key
    return best


@lru_cache(maxsize=1 << 16)
def _support(text: str) -> tuple[tuple[Quantity, ...], frozenset[str]]:
    """A passage's quantities and character pairs, worked out once: every question is matched against every passage."""
    return tuple(extract_quantities(text)), frozenset(shingles(text))
