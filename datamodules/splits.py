"""Validation split by source chunk: no chunk's facts are in both train and val."""

from __future__ import annotations

from typing import TypeVar

from slm_recipes.core.grouping import split_groups

T = TypeVar("T")


def split_by_group(items: list[T], groups: list[str], val_fraction: float, seed: int) -> tuple[list[T], list[T]]:
    """Deterministic: the same groups, fraction and seed always give the same split."""
    assignment = split_groups(groups, [val_fraction], seed)
    train = [item for item, group in zip(items, groups) if assignment[group] == 0]
    val = [item for item, group in zip(items, groups) if assignment[group] == 1]
    return train, val
