"""The one rule for where models run and in which precision: CUDA > MPS > CPU; bf16 where the GPU has it."""

from __future__ import annotations

import torch

_PRECISION = {torch.bfloat16: "bf16-mixed", torch.float16: "16-mixed", torch.float32: "32-true"}


def best_device() -> torch.device:
    """Where chat, predict and evaluation generate: the GPU when there is one."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def compute_dtype(device: torch.device) -> torch.dtype:
    """bf16 on GPUs that have it, fp16 on older GPUs, fp32 on CPU and MPS."""
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def trainer_precision(accelerator: str | object) -> str:
    """Lightning's precision for the same rule, when the recipe leaves `trainer.precision` unset."""
    uses_cuda = accelerator in ("auto", "gpu", "cuda") and torch.cuda.is_available()
    return _PRECISION[compute_dtype(torch.device("cuda" if uses_cuda else "cpu"))]
