"""Padding-free packing: several whole examples per row, each attending only to itself.

`PackedBatchSampler` fills rows of `capacity` tokens (first-fit decreasing over shuffled mega-batches, so
rows are full and the order is still random), puts rows of similar lengths together, `rows` per
micro-batch, and names each example's row (`RowTagged` passes it on); `pack_batch` lays the examples
out with position ids that restart at 0 for each example. Given position ids and no
attention mask, transformers builds a block-diagonal causal mask from the restarts (flash attention
uses them as sequence boundaries), so no token sees another example: the same per-example loss as
unpacked, without computing padding. A row's unused tail is padding with its own positions, i.e. a
segment of its own that no real token attends to.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from typing import Any

import torch
from slm_recipes.datamodules.chat_encoding import IGNORE_INDEX
from torch.utils.data import Dataset, Sampler


def first_fit_decreasing(indices: list[int], lengths: list[int], capacity: int) -> list[list[int]]:
    """Rows of example indices, each at most `capacity` tokens, longest examples placed first."""
    rows: list[list[int]] = []
    room: list[int] = []
    for i in sorted(indices, key=lambda j: -lengths[j]):
        slot = next((r for r, free in enumerate(room) if free >= lengths[i]), None)
        if slot is None:
            rows.append([i])
            room.append(capacity - lengths[i])
        else:
            rows[slot].append(i)
            room[slot] -= lengths[i]
    return rows


def packed_rows(lengths: list[int], batch_size: int, capacity: int, sample: int = 2000) -> int:
    """Rows per packed micro-batch that hold `batch_size` examples on average (judged by packing the first
    `sample` examples): the same tokens per step, and so about the same number of steps, as unpacked. A step
    of far more tokens is no faster per token, and would change the optimisation."""
    head = list(range(min(sample, len(lengths))))
    rows = len(first_fit_decreasing(head, lengths, capacity))
    return max(1, round(batch_size * rows / len(head)))


class RowTagged(Dataset):
    """A dataset read by (index, row) keys: each example comes with the row the sampler put it in."""

    def __init__(self, data: Dataset) -> None:
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, key: tuple[int, int]) -> dict[str, Any]:
        index, row = key
        return {**self.data[index], "row": row}


class PackedBatchSampler(Sampler[list[tuple[int, int]]]):
    """Micro-batches of `rows` packed rows as (example, row) pairs; shards itself across ranks (whole micro-batches
    per rank)."""

    def __init__(self, lengths: list[int], capacity: int, rows: int, seed: int = 0, num_replicas: int = 1,
                 rank: int = 0, megabatch_factor: int = 50) -> None:
        too_long = [n for n in lengths if n > capacity]
        if too_long:
            raise ValueError(f"an example of {too_long[0]} tokens does not fit a row of {capacity}")
        self.lengths = lengths
        self.capacity = capacity
        self.rows = rows
        self.seed = seed
        self.num_replicas = num_replicas
        self.rank = rank
        self.megabatch = rows * megabatch_factor  # in examples, whatever the number of ranks
        self.epoch = 0
        self._cached: tuple[int, list[list[tuple[int, int]]]] | None = None

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _batches(self) -> list[list[tuple[int, int]]]:
        if self._cached and self._cached[0] == self.epoch:
            return self._cached[1]
        rng = random.Random(self.seed + self.epoch)
        order = list(range(len(self.lengths)))
        rng.shuffle(order)
        batches: list[list[tuple[int, int]]] = []
        for start in range(0, len(order), self.megabatch):
            packed = first_fit_decreasing(order[start:start + self.megabatch], self.lengths, self.capacity)
            # rows of similar length side by side: a micro-batch is padded to its longest row
            packed.sort(key=lambda row: -sum(self.lengths[i] for i in row))
            batches += [[(i, r) for r, row in enumerate(packed[k:k + self.rows]) for i in row]
                        for k in range(0, len(packed), self.rows)]
        rng.shuffle(batches)
        if self.num_replicas > 1:
            total = math.ceil(len(batches) / self.num_replicas) * self.num_replicas
            batches = [batches[b % len(batches)] for b in range(total)][self.rank::self.num_replicas]
        self._cached = (self.epoch, batches)
        return batches

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        return iter(self._batches())

    def __len__(self) -> int:
        return len(self._batches())


def pack_batch(features: list[dict[str, Any]], capacity: int, pad_id: int,
               pad_to_multiple_of: int = 1) -> dict[str, torch.Tensor]:
    """Examples laid into rows: the row each one names (`RowTagged`), else in the order given, a new row when the
    next one would pass `capacity` tokens. `attention_mask` marks real tokens for counting only: the model is
    given `position_ids` instead."""
    rows: list[list[dict[str, Any]]] = []
    if all("row" in f for f in features):
        for r in sorted({f["row"] for f in features}):
            rows.append([f for f in features if f["row"] == r])
    else:
        used = capacity
        for feature in features:
            n = len(feature["input_ids"])
            if used + n > capacity:
                rows.append([])
                used = 0
            rows[-1].append(feature)
            used += n
    longest = max(sum(len(f["input_ids"]) for f in row) for row in rows)
    width = -(-longest // pad_to_multiple_of) * pad_to_multiple_of
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
    position_ids = torch.zeros((len(rows), width), dtype=torch.long)
    for r, row in enumerate(rows):
        at = 0
        for feature in row:
            n = len(feature["input_ids"])
            input_ids[r, at:at + n] = torch.tensor(feature["input_ids"])
            labels[r, at:at + n] = torch.tensor(feature["labels"])
            labels[r, at] = IGNORE_INDEX  # the previous example's last token never predicts this one's first
            position_ids[r, at:at + n] = torch.arange(n)
            attention_mask[r, at:at + n] = 1
            at += n
        position_ids[r, at:] = torch.arange(width - at)
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention_mask, "position_ids": position_ids}
