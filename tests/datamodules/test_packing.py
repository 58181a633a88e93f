"""Packing: whole examples in full rows, no attention across them, the same losses as unpacked."""

from __future__ import annotations

import functools
import random

import pytest
import torch
import torch.nn.functional as F
from slm_recipes.datamodules.chat_encoding import IGNORE_INDEX, encode_chat
from slm_recipes.datamodules.collate import pad_batch
from slm_recipes.datamodules.packing import (
    PackedBatchSampler,
    RowTagged,
    first_fit_decreasing,
    pack_batch,
    packed_rows,
)
from slm_recipes.modules import QLoRACausalLM
from transformers import AutoModelForCausalLM, AutoTokenizer

LENGTHS = [30, 7, 22, 15, 40, 3, 18, 26, 11, 9, 33, 5, 21, 14, 8, 37]


def test_rows_hold_whole_examples_within_capacity_and_every_example_once():
    rows = first_fit_decreasing(list(range(len(LENGTHS))), LENGTHS, capacity=48)
    assert sorted(i for row in rows for i in row) == list(range(len(LENGTHS)))
    assert all(sum(LENGTHS[i] for i in row) <= 48 for row in rows)
    assert len(rows) == -(-sum(LENGTHS) // 48)  # as few rows as the tokens need, here


def test_sampler_is_seeded_reshuffles_per_epoch_and_pack_batch_rebuilds_its_rows():
    sampler = PackedBatchSampler(LENGTHS, capacity=48, rows=2, seed=3)
    first = list(sampler)
    assert first == list(PackedBatchSampler(LENGTHS, capacity=48, rows=2, seed=3))
    assert sorted(i for batch in first for i, _ in batch) == list(range(len(LENGTHS)))
    sampler.set_epoch(1)
    assert list(sampler) != first and len(sampler) == len(list(sampler))
    data = RowTagged([{"input_ids": [1] * n, "labels": [1] * n} for n in LENGTHS])
    for batch in first:
        packed = pack_batch([data[key] for key in batch], 48, pad_id=0)
        rows = {r: sum(LENGTHS[i] for i, row in batch if row == r) for _, r in batch}
        assert packed["input_ids"].size(0) == len(rows) <= 2 and max(rows.values()) <= 48
        assert packed["attention_mask"].sum(dim=1).tolist() == [rows[r] for r in sorted(rows)]


def test_ranks_get_disjoint_whole_micro_batches_covering_every_example():
    ranks = [list(PackedBatchSampler(LENGTHS, capacity=48, rows=1, seed=0, num_replicas=2, rank=r)) for r in (0, 1)]
    assert len(ranks[0]) == len(ranks[1])
    seen = [i for rank in ranks for batch in rank for i, _ in batch]
    assert set(seen) == set(range(len(LENGTHS)))


def test_rows_of_a_micro_batch_are_of_similar_length():
    rng = random.Random(0)
    lengths = [rng.randint(20, 100) for _ in range(64)]
    batches = list(PackedBatchSampler(lengths, capacity=100, rows=4, seed=1))
    computed = 0
    for batch in batches:
        rows: dict[int, int] = {}
        for i, r in batch:
            rows[r] = rows.get(r, 0) + lengths[i]
        computed += max(rows.values()) * len(rows)  # a micro-batch is padded to its longest row
    assert sum(lengths) / computed > 0.96  # 0.976; rows batched in the order packing made them: 0.949


def test_an_example_longer_than_a_row_is_refused():
    with pytest.raises(ValueError, match="40 tokens does not fit a row of 32"):
        PackedBatchSampler([10, 40], capacity=32, rows=1)


def test_positions_restart_per_example_and_no_label_crosses_a_boundary():
    features = [{"input_ids": [5, 6, 7], "labels": [5, 6, 7]}, {"input_ids": [8, 9], "labels": [IGNORE_INDEX, 9]}]
    packed = pack_batch(features, capacity=8, pad_id=0, pad_to_multiple_of=8)
    assert packed["input_ids"].tolist() == [[5, 6, 7, 8, 9, 0, 0, 0]]
    assert packed["position_ids"].tolist() == [[0, 1, 2, 0, 1, 0, 1, 2]]  # the padding is a segment of its own
    assert packed["labels"].tolist() == [[IGNORE_INDEX, 6, 7, IGNORE_INDEX, 9] + [IGNORE_INDEX] * 3]
    assert packed["attention_mask"].tolist() == [[1, 1, 1, 1, 1, 0, 0, 0]]


def conversations(tokenizer, n: int) -> list[dict[str, list[int]]]:
    out = []
    for i in range(n):
        answer = "报销上限" * (1 + i % 4) + f"{100 + 17 * i}元。"
        chat = [{"role": "user", "content": f"第{i}条的标准是多少？" + "请说明。" * (i % 3)},
                {"role": "assistant", "content": answer}]
        encoded = encode_chat(tokenizer, chat)
        out.append({"input_ids": encoded.input_ids, "labels": encoded.labels})
    return out


def token_losses(model, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    inputs = {k: batch[k] for k in ("input_ids", "position_ids")} if "position_ids" in batch else \
        {k: batch[k] for k in ("input_ids", "attention_mask")}
    logits = model(**inputs, use_cache=False).logits[:, :-1]  # transformers detects packing only without a cache
    return F.cross_entropy(logits.transpose(1, 2).float(), batch["labels"][:, 1:], reduction="none")


@pytest.mark.parametrize("model_fixture", ["tiny_qwen2", "tiny_llama"])
def test_per_example_losses_equal_the_unpacked_ones(model_fixture, request):
    path = request.getfixturevalue(model_fixture)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, attn_implementation="sdpa").eval()
    features = conversations(tokenizer, 6)
    capacity = sum(len(f["input_ids"]) for f in features[:3]) + 5
    packed = pack_batch(features, capacity, pad_id=tokenizer.pad_token_id, pad_to_multiple_of=8)
    assert packed["input_ids"].size(0) < len(features)  # several examples share a row
    with torch.no_grad():
        together = token_losses(model, packed)
        alone = [token_losses(model, pad_batch([f], pad_id=tokenizer.pad_token_id))[0] for f in features]
    starts = (packed["position_ids"] == 0) & (packed["attention_mask"] == 1)
    k = 0
    for r in range(packed["input_ids"].size(0)):
        for at in starts[r].nonzero().flatten().tolist():
            n = len(features[k]["input_ids"])
            trained = packed["labels"][r, at + 1:at + n] != IGNORE_INDEX
            assert torch.allclose(together[r, at:at + n - 1][trained], alone[k][trained], atol=1e-5)
            k += 1
    assert k == len(features)


def test_the_module_loss_on_a_packed_batch_equals_the_padded_batch_loss(tiny_qwen2):
    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen2)
    lm = QLoRACausalLM(model_name=str(tiny_qwen2), lora_dropout=0.0, optimizer=functools.partial(torch.optim.AdamW))
    lm.configure_model()
    lm.eval()
    features = conversations(tokenizer, 5)
    with torch.no_grad():
        padded = lm(**pad_batch(features, pad_id=tokenizer.pad_token_id))
        packed = lm(**pack_batch(features, capacity=400, pad_id=tokenizer.pad_token_id))
    assert torch.allclose(padded, packed, atol=1e-5)


def test_packing_in_the_datamodule_trains_through_lightning(tiny_qwen2, tmp_path):
    import lightning as L
    from builders import qa_records, write_jsonl
    from slm_recipes.datamodules import DistilledQADataModule

    train = write_jsonl(tmp_path / "train.jsonl", qa_records(12, chunks=6))
    data = DistilledQADataModule(train_file=str(train), model_name=str(tiny_qwen2), batch_size=2, val_fraction=0.34,
                                 packing=True, max_length=256)
    lm = QLoRACausalLM(model_name=str(tiny_qwen2), optimizer=functools.partial(torch.optim.AdamW, lr=1e-2))
    seen: list[dict[str, torch.Tensor]] = []

    class Batches(L.Callback):
        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            seen.append(batch)

    L.Trainer(default_root_dir=tmp_path, accelerator="cpu", logger=False, enable_progress_bar=False, max_epochs=1,
              enable_checkpointing=False, enable_model_summary=False, callbacks=[Batches()]).fit(lm, data)
    examples = len(data.train_data)
    assert all("position_ids" in b for b in seen) and len(seen) < examples / 2  # rows of several examples
    assert sum(int((b["position_ids"][b["attention_mask"] == 1] == 0).sum()) for b in seen) == examples
    assert "position_ids" not in next(iter(data.val_dataloader()))  # validation stays unpacked


def test_a_packed_micro_batch_carries_the_tokens_of_batch_size_examples():
    assert packed_rows([100] * 40, batch_size=8, capacity=400) == 2  # 4 examples a row
    assert packed_rows([300] * 40, batch_size=8, capacity=384) == 8  # one a row: as unpacked
    assert packed_rows([250, 130] * 20, batch_size=8, capacity=384) == 4  # pairs
    assert packed_rows([20] * 10, batch_size=1, capacity=512) == 1
