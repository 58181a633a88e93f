"""Merging: the adapter lands on a 16/32-bit base, never the 4-bit one, in a folder that loads and chats as trained."""

from __future__ import annotations

import json

import lightning as L
import pytest
import torch
from builders import QWEN_STYLE_TEMPLATE
from peft import PeftModel
from slm_recipes.modules import QLoRACausalLM
from transformers import AutoModelForCausalLM, AutoTokenizer

from slm_recipes.callbacks import ModelExport
from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.export.config import ExportConfig
from slm_recipes.export.merge import merge_adapter_dir, merge_checkpoint, merge_dtype, save_merged
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.text.lexicon import load_lexicon

HPARAMS = {"lora_r": 4, "lora_alpha": 8, "target_modules": "all-linear", "use_dora": False}


def trained_module(model_name: str, quantization: str = "none") -> QLoRACausalLM:
    """A module whose adapters hold random (non-zero) updates, as after training."""
    module = QLoRACausalLM(model_name, quantization=quantization, lora_r=4, lora_alpha=8, lora_dropout=0.0)
    module.configure_model()
    torch.manual_seed(1)
    for name, p in module.model.named_parameters():
        if "lora_" in name:
            p.data.normal_(0, 0.05)
    return module


def manual_merge(model_name, adapter) -> dict[str, torch.Tensor]:
    base = AutoModelForCausalLM.from_pretrained(model_name, dtype=torch.float32)
    return PeftModel.from_pretrained(base, str(adapter)).merge_and_unload().state_dict()


def test_adapter_folder_merge_equals_peft(tiny_qwen2, tmp_path):
    module = trained_module(str(tiny_qwen2))
    module.save_adapter(tmp_path / "adapter")
    merged = merge_adapter_dir(str(tiny_qwen2), tmp_path / "adapter").state_dict()
    expected = manual_merge(tiny_qwen2, tmp_path / "adapter")
    assert merged.keys() == expected.keys()
    assert all(torch.equal(merged[k], expected[k]) for k in expected)
    base = AutoModelForCausalLM.from_pretrained(tiny_qwen2).state_dict()
    assert not torch.equal(merged["model.layers.0.mlp.down_proj.weight"], base["model.layers.0.mlp.down_proj.weight"])


def test_checkpoint_merge_equals_adapter_merge(tiny_qwen2, tmp_path):
    module = trained_module(str(tiny_qwen2))
    module.save_adapter(tmp_path / "adapter")
    trainable = {f"model.{n}": p.detach().clone() for n, p in module.model.named_parameters() if p.requires_grad}
    torch.save({"state_dict": trainable}, tmp_path / "last.ckpt")
    merged = merge_checkpoint({"model_name": str(tiny_qwen2), **HPARAMS}, tmp_path / "last.ckpt").state_dict()
    expected = manual_merge(tiny_qwen2, tmp_path / "adapter")
    assert all(torch.allclose(merged[k], expected[k]) for k in expected)
    with pytest.raises(RecipeError, match="other|lacks|does not fit"):
        merge_checkpoint({"model_name": str(tiny_qwen2), **HPARAMS, "lora_r": 8}, tmp_path / "last.ckpt")


def test_qlora_nf4_run_merges_like_its_adapter_in_32_bit(tiny_qwen2, tmp_path):
    pytest.importorskip("bitsandbytes")
    module = trained_module(str(tiny_qwen2), quantization="nf4")
    module.save_adapter(tmp_path / "adapter")
    trainer = L.Trainer(accelerator="cpu", logger=False, enable_checkpointing=False, enable_progress_bar=False)
    paths = RunPaths("t", str(tiny_qwen2), export_folder=tmp_path)
    ModelExport(ExportConfig(merge_dtype="float32"), paths, GenerationSettings(), load_lexicon()).on_fit_end(trainer, module)

    merged = AutoModelForCausalLM.from_pretrained(paths.merged_dir).state_dict()
    expected = manual_merge(tiny_qwen2, tmp_path / "adapter")
    assert all(torch.allclose(merged[k], expected[k], atol=1e-6) for k in expected)
    # a merge into the 4-bit base would carry NF4 rounding: far larger than float error
    base = AutoModelForCausalLM.from_pretrained(tiny_qwen2).state_dict()
    dequantized = module.model.get_base_model().model.layers[0].mlp.down_proj.base_layer.weight
    import bitsandbytes.functional as bnbf

    nf4 = bnbf.dequantize_4bit(dequantized.data, dequantized.quant_state).float()
    key = "model.layers.0.mlp.down_proj.weight"
    assert (nf4 - base[key]).abs().max() > 100 * (merged[key] - expected[key]).abs().max().clamp(min=1e-9)


def test_merged_folder_carries_tokenizer_template_and_generation_settings(tiny_qwen2, tmp_path):
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen2)
    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen2)
    settings = GenerationSettings(max_new_tokens=123, temperature=0.7, top_p=0.8, repetition_penalty=1.1)
    folder = save_merged(model, tokenizer, settings, tmp_path / "merged")
    assert AutoTokenizer.from_pretrained(folder).chat_template == QWEN_STYLE_TEMPLATE
    generation = json.loads((folder / "generation_config.json").read_text())
    assert generation["max_new_tokens"] == 123 and generation["do_sample"] is True
    assert generation["temperature"] == 0.7 and generation["top_p"] == 0.8 and generation["top_k"] == 0
    assert tokenizer.convert_tokens_to_ids("<|im_end|>") in generation["eos_token_id"]


def test_auto_dtype_keeps_a_16_bit_model_in_16_bit(tiny_qwen2, tmp_path):
    assert merge_dtype("auto", str(tiny_qwen2)) == torch.float32
    AutoModelForCausalLM.from_pretrained(tiny_qwen2, dtype=torch.bfloat16).save_pretrained(tmp_path)
    assert merge_dtype("auto", str(tmp_path)) == torch.bfloat16
    assert merge_dtype("float16", str(tmp_path)) == torch.float16


def test_a_folder_that_is_not_an_adapter_is_refused(tiny_qwen2, tmp_path):
    with pytest.raises(RecipeError, match="adapter_config.json"):
        merge_adapter_dir(str(tiny_qwen2), tmp_path)
