"""Train/val/test by source chunk: every pair of a chunk lands in the same split."""

from __future__ import annotations

from collections.abc import Sequence

from slm_recipes.grouping import split_groups

SPLITS = ("train", "val", "test")


def assign_chunks(chunk_ids: Sequence[str], ratios: Sequence[float], seed: int) -> dict[str, str]:
    """Chunk id -> split name, by the one group splitter (the DataModule's validation split uses it too)."""
    return {name: SPLITS[k] for name, k in split_groups(chunk_ids, ratios[1:], seed).items()}
