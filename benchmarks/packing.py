"""Trained (non-padding) tokens per second with `data.init_args.packing` on and off, alternated in one process.

The recipe is `recipes/demo.yaml` (SmolLM2-135M-Instruct, fp32 on the CPU, LoRA r 16 on every linear layer,
micro-batch 8, max length 384), on the demo's own dataset (open-book RAFT examples: passages and question
in every prompt) or, with `--closed-book`, on the demo's hand-written QA pairs (short, closed-book). The
baseline is the recipe's default, length-grouped batches of `batch_size` examples padded per batch; packed
batches are `batch_size` rows of up to `max_length` tokens of whole examples. One model, one optimizer:
each round times `--steps` training steps (forward, backward, AdamW step) of each, in turn, so both see
the same machine; the figure is the total over the rounds after a warm-up step of each.

    python benchmarks/packing.py [--steps 4] [--rounds 2] [--closed-book]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "recipes" / "demo.yaml"


def forever(loader: Iterable[dict]) -> Iterator[dict]:
    """Epoch after epoch: a packed epoch of short examples is only a few steps."""
    while True:
        yield from loader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--closed-book", action="store_true", help="the demo's QA pairs instead of its RAFT dataset")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from slm_recipes.cli.training import load_training_cli

    recipe = ["--config", str(DEMO)]
    if args.closed_book:
        recipe += ["--data.train_file", str(REPO / "recipes/demo/qa.jsonl"), "--data.context", "none",
                   "--data.val_fraction", "0"]
    cli = load_training_cli(recipe)
    data, module = cli.datamodule, cli.model
    data.prepare_data()
    data.setup()
    module.configure_model()
    module.train()
    optimizer = torch.optim.AdamW([p for p in module.parameters() if p.requires_grad], lr=1e-4)
    batches = {}
    for name, packing in (("grouped-padded", False), ("packed", True)):
        data.hparams.packing = packing
        batches[name] = forever(data.train_dataloader())
    totals = {name: [0, 0, 0.0] for name in batches}  # real tokens, computed positions, seconds

    def step(name: str, timed: bool) -> None:
        batch = next(batches[name])
        start = time.perf_counter()
        module(**batch).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if timed:
            totals[name][0] += int(batch["attention_mask"].sum())
            totals[name][1] += batch["input_ids"].numel()
            totals[name][2] += time.perf_counter() - start

    for name in batches:
        step(name, timed=False)
    for _ in range(args.rounds):
        for name in batches:
            for _ in range(args.steps):
                step(name, timed=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
          f"threads {torch.get_num_threads()}")
    print(f"data: {'demo/qa.jsonl, closed-book' if args.closed_book else 'the demo recipe dataset (RAFT)'}, "
          f"{len(data.train_data)} examples, {args.rounds} rounds x {args.steps} steps each")
    rates = {}
    for name, (tokens, positions, seconds) in totals.items():
        rates[name] = tokens / seconds
        print(f"{name:<15} {rates[name]:8.1f} tokens/s   {tokens / (args.rounds * args.steps):7.0f} tokens per step   "
              f"padding {1 - tokens / positions:5.1%}")
    print(f"ratio packed / grouped-padded: {rates['packed'] / rates['grouped-padded']:.2f}x")


if __name__ == "__main__":
    main()
