"""The one group splitter: shares, determinism, and what happens with few groups."""

from __future__ import annotations

from collections import Counter

from slm_recipes.core.grouping import split_groups


def test_shares_are_rounded_up_and_every_group_lands_in_one_split():
    groups = [f"c{i % 54}" for i in range(159)]
    assignment = split_groups(groups, [0.1], seed=42)
    assert set(assignment) == set(groups) and Counter(assignment.values()) == {0: 48, 1: 6}
    assert split_groups(list(reversed(groups)), [0.1], seed=42) == assignment


def test_each_held_out_split_gets_one_group_while_training_keeps_one():
    assert Counter(split_groups(["a", "b", "c"], [0.1, 0.1], 0).values()) == {0: 1, 1: 1, 2: 1}
    assert Counter(split_groups(["a", "b", "c"], [0.5, 0.5], 0).values()) == {0: 1, 1: 1, 2: 1}
    assert Counter(split_groups(["a", "b", "c", "d"], [0.0, 0.4], 0).values()) == {0: 2, 2: 2}


def test_fewer_groups_than_splits_all_train():
    assert set(split_groups(["a", "b"], [0.1, 0.1], 0).values()) == {0}
    assert set(split_groups(["a"], [0.5], 0).values()) == {0}
