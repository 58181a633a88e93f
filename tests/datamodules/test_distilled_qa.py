"""The DataModule on real files with the real SmolLM2 tokenizer (through a tiny model folder)."""

from __future__ import annotations

import pytest
from builders import qa_records, write_jsonl
from slm_recipes.datamodules import DistilledQADataModule

from slm_recipes.errors import RecipeError


def make(tmp_path, model_dir, records, **kwargs) -> DistilledQADataModule:
    train = write_jsonl(tmp_path / "train.jsonl", records)
    return DistilledQADataModule(train_file=str(train), model_name=str(model_dir), **kwargs)


def test_split_by_chunk_and_batches_are_dynamically_padded(tmp_path, tiny_qwen2):
    dm = make(tmp_path, tiny_qwen2, qa_records(40, chunks=10), val_fraction=0.2, batch_size=4, pad_to_multiple_of=1)
    dm.setup("fit")
    train_chunks = {item.example.group for item in dm.train_data.items}
    val_chunks = {item.example.group for item in dm.val_data.items}
    assert train_chunks.isdisjoint(val_chunks) and len(val_chunks) == 2
    batch = next(iter(dm.train_dataloader()))
    assert batch["input_ids"].shape[1] == batch["attention_mask"].sum(1).max() < dm.hparams.max_length
    assert (batch["labels"] != -100).any(dim=1).all()


def test_long_examples_are_dropped_and_counted(tmp_path, tiny_qwen2):
    records = qa_records(6) + [{"question": "长问题" * 200, "answer": "答。", "chunk_id": "long"}]
    dm = make(tmp_path, tiny_qwen2, records, val_fraction=0.0, max_length=128)
    dm.setup("fit")
    assert len(dm.train_data) == 6 and dm.stats["dropped"] == 1
    assert 0 < dm.stats["trained_share"] < 1 and dm.stats["length_max"] <= 128


def test_nothing_left_after_filtering_is_an_error(tmp_path, tiny_qwen2):
    dm = make(tmp_path, tiny_qwen2, qa_records(3), max_length=8)
    with pytest.raises(RecipeError, match="no training example left"):
        dm.setup("fit")


def test_val_file_is_used_as_given(tmp_path, tiny_qwen2):
    val = write_jsonl(tmp_path / "val.jsonl", qa_records(3))
    dm = make(tmp_path, tiny_qwen2, qa_records(8), val_file=str(val))
    dm.setup("fit")
    assert (len(dm.train_data), len(dm.val_data)) == (8, 3)


def test_system_prompt_is_rendered(tmp_path, tiny_qwen2):
    dm = make(tmp_path, tiny_qwen2, qa_records(2), val_fraction=0.0, system_prompt="你是报销助手。")
    dm.setup("fit")
    assert "你是报销助手。" in dm.tokenizer.decode(dm.train_data.items[0].encoded.input_ids)


def test_missing_data_file_is_an_error(tmp_path, tiny_qwen2):
    dm = DistilledQADataModule(train_file=str(tmp_path / "nope.jsonl"), model_name=str(tiny_qwen2))
    with pytest.raises(RecipeError, match="nope.jsonl does not exist"):
        dm.prepare_data()
