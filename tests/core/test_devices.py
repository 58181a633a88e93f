"""One device and precision rule for training, merging and generation."""

from __future__ import annotations

import pytest
import torch

from slm_recipes.core.devices import best_device, compute_dtype, trainer_precision


def test_the_cpu_computes_in_fp32_and_trains_in_32_true():
    assert compute_dtype(torch.device("cpu")) == torch.float32
    assert trainer_precision("cpu") == "32-true"


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CPU-only machine")
def test_without_a_gpu_everything_runs_on_the_cpu():
    assert trainer_precision("auto") == "32-true"
    assert best_device().type in ("cpu", "mps")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_a_gpu_trains_in_bf16_where_it_has_it():
    expected = "bf16-mixed" if torch.cuda.is_bf16_supported() else "16-mixed"
    assert trainer_precision("auto") == expected and best_device().type == "cuda"
