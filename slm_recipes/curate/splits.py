"""Train/val/test by source chunk: every pair of a chunk lands in the same split."""

from __future__ import annotations

import random
from collections.abc import Sequence

SPLITS = ("train", "val", "test")


def assign_chunks(chunk_ids: Sequence[str], ratios: Sequence[float], seed: int) -> dict[str, str]:
    """Chunk id -> split name. Deterministic: the same chunks, ratios and seed give the same assignment.

    As in `datamodules.splits.split_by_group`, the sorted chunk ids are shuffled with the seed and cut;
    a split with a non-zero ratio gets at least one chunk while train keeps at least one.
    """
    names = sorted(set(chunk_ids))
    random.Random(seed).shuffle(names)
    n = len(names)
    val, test = (round(ratio * n) for ratio in ratios[1:])
    if n >= 3:  # enough chunks for every split that asks for some
        val, test = max(val, int(ratios[1] > 0)), max(test, int(ratios[2] > 0))
    while val + test > n - int(ratios[0] > 0 and n > 0):
        if val >= test:
            val -= 1
        else:
            test -= 1
    sizes = (n - val - test, val, test)
    assignment: dict[str, str] = {}
    start = 0
    for split, size in zip(SPLITS, sizes):
        for name in names[start:start + size]:
            assignment[name] = split
        start += size
    return assignment
