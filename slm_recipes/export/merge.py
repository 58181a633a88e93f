"""Merge a LoRA adapter into its base model, reloaded in 16 or 32 bits, and save a standard Hugging Face folder.

A QLoRA run trains against a 4-bit base, but merging into 4-bit weights would bake the NF4
rounding into every layer; the base is always reloaded from `model_name` at full or half
precision, so the merged model is the base plus exactly the learned update.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import AutoConfig, AutoModelForCausalLM, GenerationConfig, PreTrainedModel, PreTrainedTokenizerBase

from slm_recipes.core.atomic import write_dir_atomically
from slm_recipes.core.errors import RecipeError
from slm_recipes.generation.answers import generation_config, stop_token_ids
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.hub.models import resolve_model

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def merge_dtype(requested: str, model_path: str) -> torch.dtype:
    """`auto`: the model's own 16-bit dtype (bf16 for Qwen2.5), else float32."""
    if requested != "auto":
        return DTYPES[requested]
    config = AutoConfig.from_pretrained(model_path)
    own = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None)
    own = DTYPES.get(own, own) if isinstance(own, str) else own
    return own if own in (torch.bfloat16, torch.float16) else torch.float32


def load_base(model_name: str, dtype: str = "auto") -> PreTrainedModel:
    path = resolve_model(model_name)
    return AutoModelForCausalLM.from_pretrained(path, dtype=merge_dtype(dtype, path))


def merge_adapter_dir(model_name: str, adapter_dir: str | Path, dtype: str = "auto") -> PreTrainedModel:
    """The base (16/32-bit) with the PEFT adapter folder merged in."""
    from peft import PeftModel

    if not (Path(adapter_dir) / "adapter_config.json").is_file():
        raise RecipeError(f"{adapter_dir} is not a PEFT adapter folder (no adapter_config.json); "
                          "run `slm fit` first or pass --adapter DIR")
    return PeftModel.from_pretrained(load_base(model_name, dtype), str(adapter_dir)).merge_and_unload()


def merge_checkpoint(hparams: Any, ckpt_path: str | Path, dtype: str = "auto") -> PreTrainedModel:
    """The base (16/32-bit) with the adapter weights of a Lightning checkpoint (adapter-only, as fit saves them)."""
    from slm_recipes.modules.lora import attach_lora

    checkpoint = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    state = {k.removeprefix("model."): v for k, v in checkpoint.get("state_dict", {}).items()}
    if not state:
        raise RecipeError(f"{ckpt_path} holds no adapter weights; give a checkpoint written by `slm fit`")
    model = attach_lora(load_base(hparams["model_name"], dtype), r=hparams["lora_r"], alpha=hparams["lora_alpha"],
                        dropout=0.0, target_modules=hparams["target_modules"], use_dora=hparams["use_dora"],
                        gradient_checkpointing=False, quantized=False)
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as err:  # shapes differ: another rank or model
        raise RecipeError(f"{ckpt_path} does not fit this recipe's LoRA settings: {str(err).splitlines()[-1].strip()}") from None
    if result.unexpected_keys:
        raise RecipeError(f"{ckpt_path} does not fit this recipe's LoRA settings (e.g. {result.unexpected_keys[0]})")
    missing = [k for k in result.missing_keys if "lora_" in k]
    if missing:
        raise RecipeError(f"{ckpt_path} lacks adapter weights of this recipe (e.g. {missing[0]})")
    return model.merge_and_unload()


def merged_generation_config(tokenizer: PreTrainedTokenizerBase, settings: GenerationSettings) -> GenerationConfig:
    """The recipe's generation settings, with the end-of-turn token training taught as a stop token."""
    config = generation_config(settings, stop_token_ids(tokenizer), tokenizer.pad_token_id)
    config.bos_token_id = tokenizer.bos_token_id
    return config


def save_merged(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, settings: GenerationSettings,
                directory: str | Path) -> Path:
    """safetensors + config + the training tokenizer and chat template + generation_config.json, swapped in whole."""
    model.generation_config = merged_generation_config(tokenizer, settings)

    def write(staging: Path) -> None:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)

    return write_dir_atomically(directory, write)
