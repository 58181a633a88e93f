"""A recipe for the tiny test models: the demo's system prompt and settings, short answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import qa_records, write_jsonl

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tiny_recipe(tmp_path, tiny_qwen2, monkeypatch) -> list[str]:
    """`--config` arguments of the demo recipe on tiny_qwen2, run from an empty folder (no logs/ nor exports/)."""
    monkeypatch.chdir(tmp_path)
    train = write_jsonl(tmp_path / "train.jsonl", qa_records(4))
    return ["--config", str(REPO / "recipes/demo.yaml"), "--model.model_name", str(tiny_qwen2),
            "--data.train_file", str(train), "--data.val_file", "null", "--data.context", "none",
            "--data.eval_file", "null", "--name", "tiny",
            "--generation.max_new_tokens", "8", "--generation.batch_size", "2",
            "--generation.repetition_penalty", "3.0"]  # a random tiny model repeats a newline without it
