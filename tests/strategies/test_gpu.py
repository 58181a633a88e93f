"""Checks that need CUDA (they skip cleanly without it): the 3B QLoRA memory target, and DDP on GPUs.

On a CPU-only machine these are skipped; benchmarks/gpu_qlora.py is the same measurement, printed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]


def gpu_qlora():
    spec = importlib.util.spec_from_file_location("gpu_qlora", REPO / "benchmarks/gpu_qlora.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_qwen25_3b_shaped_qlora_trains_in_under_6_gb_at_micro_batch_1_length_512(tmp_path):
    bench = gpu_qlora()
    path = bench.random_model(tmp_path / "qwen2.5-3b-shape", bench.QWEN25_3B)
    rate, peak = bench.measure(bench.ours, path, torch.device("cuda", 0), steps=3, length=512,
                               vocab=bench.QWEN25_3B["vocab_size"])
    assert rate > 0 and peak < 6.0, f"peak {peak:.2f} GiB"


@pytest.mark.skipif(torch.cuda.device_count() < 2, reason="needs 2 GPUs")
def test_ddp_on_two_gpus_matches_one_gpu(tmp_path_factory, tiny_qwen2):
    from builders import qa_records, write_jsonl

    from strategies.test_ddp import adapter, fit

    folder = tmp_path_factory.mktemp("ddp-gpu")
    write_jsonl(folder / "train.jsonl", qa_records(16, chunks=8))
    write_jsonl(folder / "val.jsonl", qa_records(20, chunks=8)[16:])
    gpu = ["--trainer.accelerator", "gpu", "--trainer.precision", "32-true"]
    fit(folder, "one", tiny_qwen2, *gpu, "--trainer.devices", "1", "--trainer.accumulate_grad_batches", "4")
    fit(folder, "two", tiny_qwen2, *gpu, "--config", str(REPO / "recipes/strategies/ddp.yaml"), "--trainer.devices", "2",
        "--trainer.accumulate_grad_batches", "2")
    one, two = adapter(folder, "one", tiny_qwen2), adapter(folder, "two", tiny_qwen2)
    assert max(float((one[k] - two[k]).abs().max()) for k in one) < 1e-4
