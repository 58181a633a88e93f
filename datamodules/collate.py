"""Dynamic padding: each batch is padded to its own longest example, never to `max_length`."""

from __future__ import annotations

import torch
from slm_recipes.datamodules.chat_encoding import IGNORE_INDEX


def pad_batch(features: list[dict[str, list[int]]], pad_id: int, pad_to_multiple_of: int = 1) -> dict[str, torch.Tensor]:
    """Right-pad `input_ids` with `pad_id` and `labels` with -100; the mask marks real tokens."""
    longest = max(len(f["input_ids"]) for f in features)
    width = -(-longest // pad_to_multiple_of) * pad_to_multiple_of
    input_ids = torch.full((len(features), width), pad_id, dtype=torch.long)
    labels = torch.full((len(features), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(features), width), dtype=torch.long)
    for row, feature in enumerate(features):
        n = len(feature["input_ids"])
        input_ids[row, :n] = torch.tensor(feature["input_ids"])
        labels[row, :n] = torch.tensor(feature["labels"])
        attention_mask[row, :n] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention_mask}
