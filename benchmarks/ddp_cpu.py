"""DDP on the CPU (gloo, 2 processes) against one process with the same global batch, same run.

Both are `slm fit` on `recipes/demo.yaml` (SmolLM2-135M-Instruct, LoRA r 16 on every linear layer: 4.9M
trainable parameters) over the demo's QA pairs, closed-book, LoRA dropout 0, micro-batch 1:

  one-process   accumulate_grad_batches 4, 2 threads
  ddp-2         recipes/strategies/ddp.yaml, 2 processes of 1 thread, accumulate_grad_batches 2

It prints the largest difference between the two adapters, each run's tokens/s (TensorBoard's
train/tokens_per_sec, first step left out) and their ratio, and the all-reduce of a buffer the size of
the adapter's gradients between 2 gloo processes: the communication a DDP step adds.

    python benchmarks/ddp_cpu.py [--steps 6]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

REPO = Path(__file__).resolve().parents[1]
SLM = str(Path(sys.executable).with_name("slm"))


def fit(folder: Path, name: str, steps: int, *extra: str) -> None:
    args = [SLM, "fit", "--config", str(REPO / "recipes/demo.yaml"), "--name", name,
            "--data.train_file", str(REPO / "recipes/demo/qa.jsonl"), "--data.context", "none", "--data.eval_file", "null",
            "--data.batch_size", "1", "--model.lora_dropout", "0", "--trainer.accelerator", "cpu",
            "--trainer.max_steps", str(steps), "--trainer.limit_val_batches", "0", "--trainer.num_sanity_val_steps", "0",
            "--evaluation.enabled", "false", "--export.merge_after_fit", "false", *extra]
    subprocess.run(args, cwd=folder, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def tokens_per_second(run: Path) -> float:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run))
    events.Reload()
    values = [e.value for e in events.Scalars("train/tokens_per_sec")][1:]
    return sum(values) / len(values)


def _all_reduce(rank: int, numel: int, repeats: int, port: int, out) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=2)
    buffer = torch.randn(numel)
    dist.all_reduce(buffer)
    start = time.perf_counter()
    for _ in range(repeats):
        dist.all_reduce(buffer)
    if rank == 0:
        out.put((time.perf_counter() - start) / repeats)
    dist.destroy_process_group()


def all_reduce_seconds(numel: int, repeats: int = 20) -> float:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    queue = mp.get_context("spawn").SimpleQueue()
    mp.start_processes(_all_reduce, args=(numel, repeats, port, queue), nprocs=2, start_method="spawn")
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=6)
    args = parser.parse_args()
    from safetensors.torch import load_file

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        fit(folder, "one", args.steps, "--trainer.devices", "1", "--trainer.accumulate_grad_batches", "4")
        fit(folder, "two", args.steps, "--config", str(REPO / "recipes/strategies/ddp.yaml"), "--trainer.devices", "2",
            "--trainer.accumulate_grad_batches", "2")
        model = "SmolLM2-135M-Instruct"
        one = load_file(folder / "logs/one" / model / "adapter/adapter_model.safetensors")
        two = load_file(folder / "logs/two" / model / "adapter/adapter_model.safetensors")
        rates = {name: tokens_per_second(folder / "logs" / name / model) for name in ("one", "two")}
    difference = max(float((one[k] - two[k]).abs().max()) for k in one)
    numel = sum(t.numel() for t in one.values())
    seconds = all_reduce_seconds(numel)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}")
    print(f"steps: {args.steps}, global batch 4; adapter {numel / 1e6:.2f}M parameters")
    print(f"largest adapter difference ddp-2 vs one-process: {difference:.2e}")
    print(f"one-process {rates['one']:8.1f} tokens/s")
    print(f"ddp-2       {rates['two']:8.1f} tokens/s")
    print(f"ratio ddp-2 / one-process: {rates['two'] / rates['one']:.2f}x")
    print(f"all-reduce of the adapter's gradients ({numel * 4 / 2**20:.1f} MiB fp32), 2 gloo processes: "
          f"{seconds * 1e3:.1f} ms per optimizer step")


if __name__ == "__main__":
    main()
