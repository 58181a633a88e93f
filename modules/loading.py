"""Load the frozen base model: full precision, 8-bit or QLoRA's 4-bit NF4 (bitsandbytes)."""

from __future__ import annotations

from typing import Literal

import torch
from transformers import AutoModelForCausalLM, PreTrainedModel

from slm_recipes.core.errors import RecipeError
from slm_recipes.hub.models import resolve_model

Quantization = Literal["nf4", "int8", "none"]


def load_base_model(model_name: str, quantization: Quantization, compute_dtype: torch.dtype,
                    device: torch.device, shardable: bool = False) -> PreTrainedModel:
    """The base model on `device`; weights stay frozen, adapters are added on top.

    `shardable` (FSDP) stores the packed 4-bit weights in `compute_dtype` instead of uint8: FSDP flattens a
    layer's weights into one tensor of one dtype, so the 4-bit weights must share the norms' dtype.
    """
    path = resolve_model(model_name)
    if quantization == "none":
        return AutoModelForCausalLM.from_pretrained(path, dtype=compute_dtype)
    if device.type not in ("cuda", "cpu", "xpu"):
        raise RecipeError(f"model.quantization={quantization} needs bitsandbytes, which does not run on {device.type}; "
                          "set model.quantization: none")
    config = _bnb_config(quantization, compute_dtype, shardable)
    model = AutoModelForCausalLM.from_pretrained(path, quantization_config=config, dtype=compute_dtype,
                                                 device_map={"": device})
    _keep_cpu_4bit_trainable(model)
    return model


def _bnb_config(quantization: Quantization, compute_dtype: torch.dtype, shardable: bool = False):
    try:
        import bitsandbytes  # noqa: F401
        from transformers import BitsAndBytesConfig
    except ImportError as err:
        raise RecipeError(
            f"model.quantization={quantization} needs bitsandbytes ({err}); install it with "
            "pip install 'slm-recipes[quant]', or set model.quantization: none"
        ) from None
    if quantization == "nf4":
        return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                                  bnb_4bit_compute_dtype=compute_dtype,
                                  bnb_4bit_quant_storage=compute_dtype if shardable else torch.uint8)
    return BitsAndBytesConfig(load_in_8bit=True)


def _keep_cpu_4bit_trainable(model: PreTrainedModel) -> None:
    """On CPUs with AVX512-BF16, bitsandbytes repacks 4-bit weights for good at the first
    no-grad eval forward (Lightning's sanity check, a validation epoch), after which backward
    fails. Turning that fast path off keeps validation-then-training working."""
    for module in model.modules():
        if hasattr(module, "support_avx512bf16_for_cpu"):
            module.support_avx512bf16_for_cpu = False
