"""The dataset splits: by question variant (every fact trains) or by source chunk (unseen passages).

`variant` (the default) keeps every fact in training and holds out, for each fact asked several ways,
one of its questions for validation: val loss then measures how the model answers a fact asked in
other words. `chunk` puts every pair of a chunk in one split, so val and test measure passages the
model never trained on: the way to measure open-book reading, not what a model of the document knows.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from slm_recipes.core.grouping import split_groups
from slm_recipes.text.shingles import normalise

SPLITS = ("train", "val", "test")


def assign_chunks(chunk_ids: Sequence[str], ratios: Sequence[float], seed: int) -> dict[str, str]:
    """Chunk id -> split name, by the one group splitter (the DataModule's validation split uses it too)."""
    return {name: SPLITS[k] for name, k in split_groups(chunk_ids, ratios[1:], seed).items()}


def assign_variants(records: Sequence[dict], seed: int) -> list[str]:
    """Split name per record: every fact trains; of a fact's differently built questions one goes to val.

    A fact is the pairs of one chunk with the same answer (after normalisation); a fact asked only
    one way stays in train. Deterministic for the same records and seed.
    """
    facts: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        facts[(str(record.get("chunk_id", "")), normalise(record["answer"]))].append(i)
    names = ["train"] * len(records)
    rng = random.Random(seed)
    for key in sorted(facts):
        members = sorted(facts[key], key=lambda i: str(records[i].get("id", i)))
        if len(members) > 1:
            names[rng.choice(members)] = "val"
    return names
