"""Length-grouped sampling: batches of similar lengths waste little compute on padding.

The order is random at the level of mega-batches (so training still sees shuffled data) and
sorted by length inside each one. The sampler shards itself across ranks, so a DDP run keeps
the grouping (the recipe sets `use_distributed_sampler: false` for that reason).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

from torch.utils.data import Sampler


class LengthGroupedSampler(Sampler[int]):
    def __init__(self, lengths: list[int], batch_size: int, shuffle: bool = True, seed: int = 0,
                 num_replicas: int = 1, rank: int = 0, megabatch_factor: int = 50) -> None:
        self.lengths = lengths
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.num_replicas = num_replicas
        self.rank = rank
        # in examples, whatever the number of ranks: the same order on 1 or N processes, so the same training
        self.megabatch = batch_size * megabatch_factor
        self.epoch = 0
        # Single device: every example once. Several: whole batches per rank, padded by repeats.
        whole = math.ceil(len(lengths) / (num_replicas * batch_size)) * batch_size
        self.per_rank = len(lengths) if num_replicas == 1 else whole

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.per_rank

    def __iter__(self) -> Iterator[int]:
        order = list(range(len(self.lengths)))
        if self.shuffle:
            random.Random(self.seed + self.epoch).shuffle(order)
            groups = [order[i:i + self.megabatch] for i in range(0, len(order), self.megabatch)]
            order = [i for group in groups for i in sorted(group, key=lambda j: -self.lengths[j])]
        else:
            order.sort(key=lambda j: -self.lengths[j])
        if self.num_replicas == 1:
            return iter(order)
        total = self.per_rank * self.num_replicas
        order = [order[i % len(order)] for i in range(total)]
        # Whole batches go to one rank, so each rank's batches stay length-homogeneous.
        batches = [order[i:i + self.batch_size] for i in range(0, total, self.batch_size)]
        return iter([i for b, batch in enumerate(batches) if b % self.num_replicas == self.rank for i in batch])
