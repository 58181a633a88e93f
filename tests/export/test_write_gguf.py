"""GGUF files from tiny Qwen2 (tied and untied) and Llama models: names, metadata, and exact or bounded weights."""

from __future__ import annotations

import hashlib
import shutil

import gguf
import numpy as np
import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

from slm_recipes.core.errors import RecipeError
from slm_recipes.export.write_gguf import GGUF_TYPES, interleave_rope_rows, write_gguf

# worst error of a dequantized weight, as a share of its block's largest magnitude
TOLERANCE = {"f16": 1e-3, "bf16": 8e-3, "q8_0": 1 / 127, "q5_0": 1 / 15, "q5_1": 1 / 31, "q4_0": 1 / 7, "q4_1": 1 / 15}


def field(reader: gguf.GGUFReader, key: str):
    return reader.get_field(key).contents()


def test_f32_file_holds_the_model_exactly(tiny_model, tmp_path):
    path = write_gguf(tiny_model, tmp_path / "tiny-f32.gguf", "f32", "tiny", progress=False)
    config = AutoConfig.from_pretrained(tiny_model)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    reader = gguf.GGUFReader(path)
    arch = config.model_type
    names = {t.name for t in reader.tensors}
    assert ("output.weight" in names) == (not config.tie_word_embeddings)
    assert len(names) == 1 + 1 + (not config.tie_word_embeddings) + config.num_hidden_layers * (9 + 3 * (arch == "qwen2"))
    assert field(reader, "general.architecture") == arch
    assert field(reader, f"{arch}.block_count") == 2 and field(reader, f"{arch}.attention.head_count_kv") == 2
    assert field(reader, "tokenizer.ggml.pre") == ("qwen2" if arch == "qwen2" else "smollm")
    assert len(reader.get_field("tokenizer.ggml.tokens").data) == config.vocab_size
    assert field(reader, "tokenizer.chat_template") == tokenizer.chat_template
    assert field(reader, "tokenizer.ggml.eos_token_id") == tokenizer.eos_token_id

    loaded = AutoModelForCausalLM.from_pretrained(str(tmp_path), gguf_file=path.name).state_dict()
    for name, weight in AutoModelForCausalLM.from_pretrained(tiny_model).state_dict().items():
        assert torch.equal(loaded[name], weight), name  # Llama's q/k rows come back in HF order too

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert path.with_name(path.name + ".sha256").read_text() == f"{digest}  {path.name}\n"


@pytest.mark.parametrize("gguf_type", [t for t in GGUF_TYPES if t != "f32"])
def test_each_type_stores_matrices_in_it_and_norms_in_f32(qwen2_untied, tmp_path, gguf_type):
    path = write_gguf(qwen2_untied, tmp_path / f"tiny-{gguf_type}.gguf", gguf_type, "tiny", progress=False)
    reader = gguf.GGUFReader(path)
    weights = AutoModelForCausalLM.from_pretrained(qwen2_untied).state_dict()
    expected = GGUF_TYPES[gguf_type][0]
    assert field(reader, "general.file_type") == GGUF_TYPES[gguf_type][1]
    for t in reader.tensors:
        if t.name.endswith(("_norm.weight", ".bias")):
            assert t.tensor_type == gguf.GGMLQuantizationType.F32, t.name
        elif t.name in ("token_embd.weight", "output.weight") and gguf_type[1] in "45":
            assert t.tensor_type == gguf.GGMLQuantizationType.Q8_0, t.name  # the head stays above 4/5 bits
        else:
            assert t.tensor_type == expected, t.name
    down = next(t for t in reader.tensors if t.name == "blk.1.ffn_down.weight")
    original = weights["model.layers.1.mlp.down_proj.weight"].numpy()
    restored = gguf.quants.dequantize(down.data, down.tensor_type).reshape(original.shape)
    blocks = np.abs(original).reshape(original.shape[0], -1, 32).max(-1, keepdims=True)
    error = np.abs(restored - original).reshape(original.shape[0], -1, 32)
    assert (error <= TOLERANCE[gguf_type] * blocks + 1e-7).all()


def test_rope_rows_are_interleaved_per_head():
    weight = torch.arange(8.0)[:, None].repeat(1, 3)  # 2 heads of 4 rows: halves (0,1),(2,3) -> pairs (0,2),(1,3)
    assert interleave_rope_rows(weight, 2)[:, 0].tolist() == [0, 2, 1, 3, 4, 6, 5, 7]


def test_a_failed_export_keeps_the_previous_file(qwen2_tied, tmp_path):
    path = write_gguf(qwen2_tied, tmp_path / "tiny.gguf", "q8_0", "tiny", progress=False)
    before = path.read_bytes()
    broken = tmp_path / "broken"
    shutil.copytree(qwen2_tied, broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(RecipeError, match="model.safetensors is missing"):
        write_gguf(broken, path, "q8_0", "tiny", progress=False)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "tiny.gguf", "tiny.gguf.sha256"]


def test_unsupported_architecture_and_type_are_named(tmp_path, qwen2_tied):
    with pytest.raises(RecipeError, match="q4_k_m"):
        write_gguf(qwen2_tied, tmp_path / "x.gguf", "q4_k_m", "tiny")
    other = tmp_path / "other"
    shutil.copytree(qwen2_tied, other)
    config = (other / "config.json").read_text().replace('"model_type": "qwen2"', '"model_type": "mistral"')
    (other / "config.json").write_text(config)
    with pytest.raises(RecipeError, match="supports qwen2, llama"):
        write_gguf(other, tmp_path / "x.gguf", "f16", "tiny")
