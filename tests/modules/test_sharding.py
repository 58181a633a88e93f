"""FSDP's units for a QLoRA model: decoder layers and adapter matrices, each of one dtype (FSDP's condition).

FSDP itself needs a GPU; these tests check on the CPU what it will be given: the 4-bit base stored as bf16,
no float32 upcast of the base, and units that each hold a single dtype.
"""

from __future__ import annotations

import pytest
import torch
from slm_recipes.modules.loading import load_base_model
from slm_recipes.modules.lora import attach_lora
from slm_recipes.modules.sharding import wrap_decoder_layers_and_adapters
from torch import nn
from transformers.modeling_layers import GradientCheckpointingLayer


def units(model: nn.Module) -> list[nn.Module]:
    assert wrap_decoder_layers_and_adapters(model, recurse=True, nonwrapped_numel=0)
    return [m for m in model.modules() if wrap_decoder_layers_and_adapters(m, recurse=False, nonwrapped_numel=0)]


def own_dtypes(unit: nn.Module, inner: list[nn.Module]) -> set[torch.dtype]:
    """The dtypes of the parameters FSDP would flatten into `unit` (those not inside a unit nested in it)."""
    nested = {id(p) for m in inner if m is not unit and any(m is x for x in unit.modules()) for p in m.parameters()}
    return {p.dtype for p in unit.parameters() if id(p) not in nested}


@pytest.fixture
def sharded_qlora(tiny_qwen2):
    pytest.importorskip("bitsandbytes")
    base = load_base_model(str(tiny_qwen2), "nf4", torch.bfloat16, torch.device("cpu"), shardable=True)
    return attach_lora(base, r=4, alpha=8, dropout=0.0, target_modules="all-linear", use_dora=False,
                       gradient_checkpointing=True, quantized=True, sharded=True)


def test_the_base_stays_bf16_and_only_the_adapters_are_float32(sharded_qlora):
    frozen = {p.dtype for p in sharded_qlora.parameters() if not p.requires_grad}
    trained = {p.dtype for p in sharded_qlora.parameters() if p.requires_grad}
    assert frozen == {torch.bfloat16} and trained == {torch.float32}
    import bitsandbytes as bnb

    assert any(isinstance(m, bnb.nn.Linear4bit) and m.weight.dtype == torch.bfloat16 for m in sharded_qlora.modules())


def test_units_are_the_decoder_layers_and_every_adapter_matrix_each_of_one_dtype(sharded_qlora):
    found = units(sharded_qlora)
    layers = [m for m in found if isinstance(m, GradientCheckpointingLayer)]
    adapters = [m for m in found if not isinstance(m, GradientCheckpointingLayer)]
    assert len(layers) == 2
    lora_leaves = [m for n, m in sharded_qlora.named_modules() if ".lora_A." in n + "." or ".lora_B." in n + "."]
    assert {id(m) for m in adapters} == {id(m) for m in lora_leaves if isinstance(m, nn.Linear)}
    for unit in found:
        assert len(own_dtypes(unit, found)) == 1, unit


def test_the_sharded_preparation_still_trains_through_checkpointed_layers(sharded_qlora):
    ids = torch.randint(0, 500, (2, 12))
    sharded_qlora.train()
    sharded_qlora(input_ids=ids, labels=ids).loss.backward()
    grads = [p.grad for p in sharded_qlora.parameters() if p.requires_grad]
    assert grads and all(g is not None for g in grads)
    assert any(float(g.abs().sum()) > 0 for g in grads)


def test_without_sharding_the_k_bit_preparation_upcasts_the_base(tiny_qwen2):
    pytest.importorskip("bitsandbytes")
    base = load_base_model(str(tiny_qwen2), "nf4", torch.bfloat16, torch.device("cpu"))
    model = attach_lora(base, r=4, alpha=8, dropout=0.0, target_modules="all-linear", use_dora=False,
                        gradient_checkpointing=False, quantized=True)
    import bitsandbytes as bnb

    assert any(isinstance(m, bnb.nn.Linear4bit) and m.weight.dtype == torch.uint8 for m in model.modules())
    norms = [p.dtype for n, p in model.named_parameters() if "norm" in n]
    assert norms and set(norms) == {torch.float32}
