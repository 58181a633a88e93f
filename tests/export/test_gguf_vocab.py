"""The tokenizer metadata: padded token table, token types, special ids and the pre-tokenizer name."""

from __future__ import annotations

import gguf
import pytest
from transformers import AutoTokenizer

from slm_recipes.core.errors import RecipeError
from slm_recipes.export.gguf_vocab import build_vocab, pre_tokenizer_name


def test_qwen2_tokenizer_is_recognised_and_padded(qwen2_tokenizer):
    vocab = build_vocab(qwen2_tokenizer, len(qwen2_tokenizer) + 5)
    assert vocab.pre == "qwen2"
    assert vocab.tokens[-5:] == [f"[PAD{i}]" for i in range(len(qwen2_tokenizer), len(qwen2_tokenizer) + 5)]
    assert vocab.types[-5:] == [gguf.TokenType.UNUSED] * 5
    assert vocab.tokens[1] == "<|im_start|>" and vocab.types[1] == gguf.TokenType.CONTROL
    assert vocab.special_ids == {"eos": 2, "pad": 0} and not vocab.add_bos
    assert vocab.chat_template == qwen2_tokenizer.chat_template


def test_smollm2_tokenizer_is_smollm(smollm2_tokenizer):
    vocab = build_vocab(smollm2_tokenizer, len(smollm2_tokenizer))
    assert vocab.pre == "smollm"
    assert vocab.special_ids == {"bos": 1, "eos": 2, "unk": 0, "pad": 2}
    assert len(vocab.merges) > 40000 and all(len(m.split(" ")) == 2 for m in vocab.merges[:100])
    assert vocab.types.count(gguf.TokenType.NORMAL) > 40000


def test_a_vocabulary_larger_than_the_model_is_refused(smollm2_tokenizer):
    with pytest.raises(RecipeError, match="embeddings"):
        build_vocab(smollm2_tokenizer, 1000)


def test_unknown_pre_tokenizer_asks_for_the_name(smollm2_dir, tmp_path):
    tokenizer = AutoTokenizer.from_pretrained(smollm2_dir)
    backend = {"pre_tokenizer": {"type": "Whitespace"}}
    with pytest.raises(RecipeError, match="export.pre_tokenizer"):
        pre_tokenizer_name(tokenizer, backend)
    assert build_vocab(tokenizer, len(tokenizer), pre="gpt-2").pre == "gpt-2"
