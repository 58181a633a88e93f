from __future__ import annotations

from slm_recipes.datamodules.collate import pad_batch


def test_pads_to_the_longest_in_the_batch_not_max_length():
    batch = pad_batch([{"input_ids": [5, 6, 7], "labels": [-100, 6, 7]}, {"input_ids": [8], "labels": [8]}], pad_id=0)
    assert batch["input_ids"].tolist() == [[5, 6, 7], [8, 0, 0]]
    assert batch["labels"].tolist() == [[-100, 6, 7], [8, -100, -100]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]


def test_pad_to_multiple_of():
    batch = pad_batch([{"input_ids": [1] * 9, "labels": [1] * 9}], pad_id=0, pad_to_multiple_of=8)
    assert batch["input_ids"].shape == (1, 16)
    assert batch["attention_mask"].sum() == 9
