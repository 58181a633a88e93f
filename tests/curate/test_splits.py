"""Splits by chunk: deterministic, in the recipe's ratios, never sharing a chunk."""

from __future__ import annotations

from collections import Counter

from slm_recipes.curate.splits import assign_chunks


def test_ratios_and_determinism():
    chunks = [f"c{i}" for i in range(100)]
    first = assign_chunks(chunks, [0.8, 0.1, 0.1], seed=42)
    assert Counter(first.values()) == {"train": 80, "val": 10, "test": 10}
    assert assign_chunks(list(reversed(chunks)), [0.8, 0.1, 0.1], seed=42) == first
    assert assign_chunks(chunks, [0.8, 0.1, 0.1], seed=7) != first


def test_small_sets_still_fill_every_split_asked_for():
    assert Counter(assign_chunks(["a", "b", "c"], [0.8, 0.1, 0.1], 1).values()) == {"train": 1, "val": 1, "test": 1}
    assert Counter(assign_chunks(["a", "b"], [0.8, 0.1, 0.1], 1).values()) == {"train": 2}
    assert Counter(assign_chunks(["a", "b", "c", "d"], [1.0, 0.0, 0.0], 1).values()) == {"train": 4}
