"""Validation split by source chunk: no chunk's facts are in both train and val."""

from __future__ import annotations

import math
import random
from typing import TypeVar

T = TypeVar("T")


def split_by_group(items: list[T], groups: list[str], val_fraction: float, seed: int) -> tuple[list[T], list[T]]:
    """Deterministic: the same groups, fraction and seed always give the same split."""
    names = sorted(set(groups))
    if val_fraction <= 0 or len(names) < 2:
        return list(items), []
    random.Random(seed).shuffle(names)
    n_val = min(len(names) - 1, max(1, math.ceil(val_fraction * len(names))))
    val_groups = set(names[:n_val])
    train = [item for item, group in zip(items, groups) if group not in val_groups]
    val = [item for item, group in zip(items, groups) if group in val_groups]
    return train, val
