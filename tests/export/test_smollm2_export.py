"""The real SmolLM2-135M-Instruct through our writer: the same file llama.cpp's converter made, and verified."""

from __future__ import annotations

import gguf
import numpy as np
import pytest

from slm_recipes.export.pipeline import verification_samples
from slm_recipes.export.verify import verify_gguf
from slm_recipes.export.write_gguf import write_gguf
from slm_recipes.hub.models import _bundled_gguf
from slm_recipes.text.lexicon import load_lexicon

SAME_KEYS = ["llama.block_count", "llama.context_length", "llama.embedding_length", "llama.feed_forward_length",
             "llama.attention.head_count", "llama.attention.head_count_kv", "llama.rope.freq_base",
             "llama.attention.layer_norm_rms_epsilon", "llama.vocab_size", "llama.rope.dimension_count",
             "tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.token_type",
             "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
             "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id", "tokenizer.ggml.add_bos_token",
             "tokenizer.chat_template"]


@pytest.mark.slow
def test_smollm2_f32_matches_the_bundled_gguf_and_verifies(smollm2_dir, tmp_path):
    """models/SmolLM2 is the bundled GGUF dequantized: written back as f32, every tensor (Llama's q/k rows
    included) must equal the bundled file's dequantized tensor, and the metadata must be the same."""
    path = write_gguf(smollm2_dir, tmp_path / "smollm2-f32.gguf", "f32", "SmolLM2-135M-Instruct", progress=False)
    ours, bundled = gguf.GGUFReader(path), gguf.GGUFReader(_bundled_gguf())
    for key in SAME_KEYS:
        assert ours.get_field(key).contents() == bundled.get_field(key).contents(), key
    theirs = {t.name: t for t in bundled.tensors}
    assert {t.name for t in ours.tensors} == set(theirs)
    for t in ours.tensors:
        reference = gguf.quants.dequantize(theirs[t.name].data, theirs[t.name].tensor_type)
        assert np.allclose(np.asarray(t.data).reshape(reference.shape), reference, atol=1e-6), t.name

    samples = verification_samples(4, "你是星河科技的报销制度助手。", "recipes/demo/paraphrased_eval.jsonl", tmp_path / "none",
                                   load_lexicon())
    report = verify_gguf(path, smollm2_dir, "f32", samples)
    assert report.passed and all(c.passed for c in report.checks)
