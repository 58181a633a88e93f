"""The bundled SmolLM2-135M-Instruct as the generation benchmarks load it: their shared --threads and --device."""

from __future__ import annotations

import argparse

import torch
from transformers import AutoModelForCausalLM

from slm_recipes.hub.models import BUNDLED_SMOLLM2, resolve_model
from slm_recipes.hub.tokenizers import load_tokenizer


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--device", default="cpu")


def load_smollm2(args: argparse.Namespace):
    """(tokenizer, model in eval mode, fp32 on args.device), torch's threads set first when asked."""
    if args.threads:
        torch.set_num_threads(args.threads)
    path = resolve_model(BUNDLED_SMOLLM2)
    return load_tokenizer(path), AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).to(args.device).eval()
