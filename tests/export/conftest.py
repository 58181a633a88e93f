"""Tiny models the GGUF export must handle: Qwen2 with and without tied embeddings, Llama; padded vocabularies."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import build_tiny_model, qwen2_style_tokenizer


@pytest.fixture(scope="session")
def qwen2_tokenizer(smollm2_tokenizer):
    return qwen2_style_tokenizer(smollm2_tokenizer)


@pytest.fixture(scope="session")
def qwen2_tied(tmp_path_factory, qwen2_tokenizer) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("qwen2-tied"), qwen2_tokenizer, "qwen2", tie=True, extra_vocab=64)


@pytest.fixture(scope="session")
def qwen2_untied(tmp_path_factory, qwen2_tokenizer) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("qwen2-untied"), qwen2_tokenizer, "qwen2", tie=False, extra_vocab=64)


@pytest.fixture(scope="session")
def llama_tied(tmp_path_factory, smollm2_tokenizer) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("llama-tied"), smollm2_tokenizer, "llama", tie=True)


@pytest.fixture(params=["qwen2_tied", "qwen2_untied", "llama_tied"])
def tiny_model(request) -> Path:
    return request.getfixturevalue(request.param)
