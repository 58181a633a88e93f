"""How FSDP cuts a (Q)LoRA model into units: one per decoder layer, and one per adapter matrix.

Named in `recipes/strategies/fsdp.yaml` as the strategy's `auto_wrap_policy`. A decoder layer is
transformers' `GradientCheckpointingLayer` (every decoder layer of the Qwen2, Llama, Mistral and
Gemma families), so no model's class name is spelled out. The adapters get units of their own because
FSDP flattens a unit into one tensor of one dtype, and the trainable LoRA matrices stay float32 while
the frozen base (its 4-bit weights stored in the compute dtype) is bf16.
"""

from __future__ import annotations

from torch import nn
from transformers.modeling_layers import GradientCheckpointingLayer


def wrap_decoder_layers_and_adapters(module: nn.Module, recurse: bool, nonwrapped_numel: int) -> bool:
    """FSDP's auto-wrap policy: look inside every module; wrap decoder layers and trainable leaf layers."""
    if recurse:
        return True
    return isinstance(module, GradientCheckpointingLayer) or _trainable_leaf(module)


def _trainable_leaf(module: nn.Module) -> bool:
    weight = getattr(module, "weight", None)
    return next(module.children(), None) is None and isinstance(weight, nn.Parameter) and weight.requires_grad
