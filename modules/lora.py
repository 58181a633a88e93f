"""Attach LoRA (or DoRA) adapters with PEFT; only they train."""

from __future__ import annotations

from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training
from transformers import PreTrainedModel


def attach_lora(model: PreTrainedModel, r: int, alpha: int, dropout: float, target_modules: str | list[str],
                use_dora: bool, gradient_checkpointing: bool, quantized: bool, sharded: bool = False) -> PeftModel:
    """`sharded` (FSDP) leaves the base's dtypes alone: PEFT's k-bit preparation would upcast norms and embeddings
    to float32, and FSDP needs one dtype per wrapped layer (the adapters are wrapped on their own)."""
    if quantized and not sharded:
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=gradient_checkpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False},
        )
    elif gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=target_modules,
                        use_dora=use_dora, bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, config)
