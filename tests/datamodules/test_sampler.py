from __future__ import annotations

import random

from slm_recipes.datamodules.sampler import LengthGroupedSampler

_rng = random.Random(1)
LENGTHS = [_rng.randint(10, 500) for _ in range(203)]


def padded_tokens(order: list[int], batch_size: int) -> int:
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    return sum(max(LENGTHS[j] for j in b) * len(b) for b in batches)


def test_every_example_once_per_epoch_and_reshuffled():
    sampler = LengthGroupedSampler(LENGTHS, batch_size=4, seed=3, megabatch_factor=8)
    first = list(sampler)
    sampler.set_epoch(1)
    second = list(sampler)
    assert sorted(first) == sorted(second) == list(range(len(LENGTHS)))
    assert first != second


def test_grouping_cuts_padding_against_random_order():
    order = list(range(len(LENGTHS)))
    random.Random(0).shuffle(order)
    grouped = list(LengthGroupedSampler(LENGTHS, batch_size=8, seed=0))
    assert padded_tokens(grouped, 8) < 0.8 * padded_tokens(order, 8)


def test_deterministic_for_a_seed():
    assert list(LengthGroupedSampler(LENGTHS, 4, seed=5)) == list(LengthGroupedSampler(LENGTHS, 4, seed=5))


def test_ranks_get_disjoint_equal_shards_of_whole_batches():
    shards = [list(LengthGroupedSampler(LENGTHS, 4, seed=0, num_replicas=3, rank=r)) for r in range(3)]
    assert len({len(s) for s in shards}) == 1 and len(shards[0]) % 4 == 0
    assert set().union(*map(set, shards)) == set(range(len(LENGTHS)))


def test_two_ranks_deal_out_the_single_process_order_batch_by_batch():
    """Beyond one mega-batch too: what DDP trains on per step is what one process trains on (same global batch)."""
    lengths = [(i * 37) % 300 + 10 for i in range(240)]
    one = list(LengthGroupedSampler(lengths, batch_size=2, seed=5))
    ranks = [list(LengthGroupedSampler(lengths, batch_size=2, seed=5, num_replicas=2, rank=r)) for r in (0, 1)]
    dealt = [i for k in range(0, len(ranks[0]), 2) for rank in ranks for i in rank[k:k + 2]]
    assert dealt == one
