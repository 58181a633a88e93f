"""Attention for packed rows on the sdpa backend: each example attends to itself, and only its own pairs are computed.

Given restarting position ids, transformers' sdpa path builds a block-diagonal mask over the whole row and
computes every query-key pair of the row, the masked ones too, through sdpa's masked kernel; a row of four
100-token examples costs the attention of one 400-token sequence, and on the CPU the masked kernel is
slower than the causal one besides. Here each example of a row is one causal sdpa call over its own
tokens (flash attention gets the same effect from the same position ids, and is left alone). Only a packed
batch's forward names its spans (`packed_spans`); every other call is transformers' sdpa unchanged.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers import AttentionInterface, PreTrainedModel
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

PACKED_SDPA = "sdpa_packed"
Spans = list[list[tuple[int, int]]]


def example_spans(position_ids: torch.Tensor) -> Spans:
    """Per row, the (start, end) of each example: a new one wherever the position does not follow the last."""
    spans: Spans = []
    for row in position_ids.tolist():
        starts = [i for i, p in enumerate(row) if i == 0 or p != row[i - 1] + 1]
        spans.append(list(zip(starts, [*starts[1:], len(row)], strict=True)))
    return spans


def packed_sdpa(module: nn.Module, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                attention_mask: torch.Tensor | None, packed_spans: Spans | None = None, **kwargs: Any
                ) -> tuple[torch.Tensor, None]:
    """sdpa, one causal call per example when the batch is packed; (batch, length, heads, dim) as sdpa returns."""
    if packed_spans is None or query.shape[2] != key.shape[2]:
        return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
    kwargs.pop("is_causal", None)
    rows = [torch.cat([sdpa_attention_forward(module, query[r:r + 1, :, s:e], key[r:r + 1, :, s:e],
                                              value[r:r + 1, :, s:e], None, is_causal=True, **kwargs)[0]
                       for s, e in spans], dim=1)
            for r, spans in enumerate(packed_spans)]
    return torch.cat(rows, dim=0), None


def use_packed_attention(model: PreTrainedModel) -> bool:
    """Switch an sdpa model to `packed_sdpa` (the same results for unpacked calls); True when it now uses it.

    The attention is registered with transformers here, when a model asks for it, not as a side effect of an import."""
    if model.config._attn_implementation == "sdpa":
        AttentionInterface.register(PACKED_SDPA, packed_sdpa)
        AttentionMaskInterface.register(PACKED_SDPA, sdpa_mask)
        model.set_attn_implementation(PACKED_SDPA)
    return model.config._attn_implementation == PACKED_SDPA
