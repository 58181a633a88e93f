"""Packed sdpa: each example of a packed row attends to itself only; unpacked calls are plain sdpa."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from slm_recipes.datamodules.chat_encoding import IGNORE_INDEX
from slm_recipes.datamodules.collate import pad_batch
from slm_recipes.datamodules.packing import pack_batch
from slm_recipes.modules.packed_attention import PACKED_SDPA, example_spans, use_packed_attention
from transformers import AutoModelForCausalLM


def test_spans_start_wherever_positions_restart():
    positions = torch.tensor([[0, 1, 2, 0, 1, 0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 0, 1, 2]])
    assert example_spans(positions) == [[(0, 3), (3, 5), (5, 9)], [(0, 6), (6, 9)]]


def features(n: int) -> list[dict[str, list[int]]]:
    torch.manual_seed(1)
    out = []
    for i in range(n):
        ids = torch.randint(10, 400, (9 + 5 * i,)).tolist()
        out.append({"input_ids": ids, "labels": [IGNORE_INDEX] * 4 + ids[4:]})
    return out


@pytest.mark.parametrize("model_fixture", ["tiny_qwen2", "tiny_llama"])
def test_packed_losses_and_gradients_equal_each_example_alone(model_fixture, request):
    model = AutoModelForCausalLM.from_pretrained(request.getfixturevalue(model_fixture), attn_implementation="sdpa")
    assert use_packed_attention(model) and model.config._attn_implementation == PACKED_SDPA
    batch = features(4)
    packed = pack_batch(batch, capacity=40, pad_id=0, pad_to_multiple_of=8)
    assert packed["input_ids"].size(0) < len(batch)

    def loss(inputs, labels) -> torch.Tensor:
        logits = model(**inputs, use_cache=False).logits[:, :-1]
        return F.cross_entropy(logits.transpose(1, 2), labels[:, 1:], reduction="sum")

    model.zero_grad()
    loss({"input_ids": packed["input_ids"], "position_ids": packed["position_ids"],
          "packed_spans": example_spans(packed["position_ids"])}, packed["labels"]).backward()
    together = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    for f in batch:
        alone = pad_batch([f], pad_id=0)
        loss({"input_ids": alone["input_ids"], "attention_mask": alone["attention_mask"]}, alone["labels"]).backward()
    for a, b in zip(together, (p.grad for p in model.parameters()), strict=True):
        assert torch.allclose(a, b, atol=1e-5)


def test_an_unpacked_call_is_plain_sdpa(tiny_qwen2):
    plain = AutoModelForCausalLM.from_pretrained(tiny_qwen2, attn_implementation="sdpa").eval()
    packed = AutoModelForCausalLM.from_pretrained(tiny_qwen2, attn_implementation="sdpa").eval()
    use_packed_attention(packed)
    batch = pad_batch(features(3), pad_id=0)
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    with torch.no_grad():
        assert torch.equal(plain(**inputs).logits, packed(**inputs).logits)
        assert torch.equal(plain.generate(**inputs, max_new_tokens=4, do_sample=False),
                           packed.generate(**inputs, max_new_tokens=4, do_sample=False))
