from __future__ import annotations

from slm_recipes.datamodules.splits import split_by_group


def test_no_group_in_both_splits_and_deterministic():
    items = list(range(100))
    groups = [f"chunk{i % 17}" for i in items]
    train, val = split_by_group(items, groups, 0.2, seed=1)
    assert set(groups[i] for i in train).isdisjoint(groups[i] for i in val)
    assert len(set(groups[i] for i in val)) == 4
    assert (train, val) == split_by_group(items, groups, 0.2, seed=1)
    assert val != split_by_group(items, groups, 0.2, seed=2)[1]


def test_zero_fraction_or_single_group_keeps_everything_for_training():
    assert split_by_group([1, 2], ["a", "b"], 0.0, seed=0) == ([1, 2], [])
    assert split_by_group([1, 2], ["a", "a"], 0.5, seed=0) == ([1, 2], [])
