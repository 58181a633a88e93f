"""Non-padding tokens per second of `slm fit` against a plain transformers Trainer + PEFT run.

Same model (SmolLM2-135M-Instruct), same data (the demo QA pairs, rendered once by our chat
encoding), same LoRA settings, micro-batch and steps, all measured in this one run:

  ours            slm fit (the recipe's DataModule: length-grouped, dynamic padding, answer-only logits)
  hf-grouped      Trainer(group_by_length=True) with per-batch padding: the Trainer's best padding
  hf-padded       Trainer with every batch padded to max_length

It also measures the machine's matmul rate and reports each run's share of it (6 N FLOPs per token).

    python benchmarks/fit_throughput.py [--steps 12] [--warmup 2]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from functools import partial
from pathlib import Path

import torch
from safetensors import safe_open

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "recipes" / "demo.yaml"


class TokenTimer:
    """Tokens and seconds over the optimizer steps after the warm-up ones."""

    def __init__(self, warmup: int) -> None:
        self.warmup, self.steps, self.tokens, self.start = warmup, 0, 0, None
        self.pending = 0  # tokens of the batch the HF collator made last

    def batch(self, tokens: int) -> None:
        self.steps += 1
        if self.steps == self.warmup + 1:
            self.start = time.perf_counter()
        if self.steps > self.warmup:
            self.tokens += tokens

    def rate(self) -> float:
        return self.tokens / (time.perf_counter() - self.start)


def run_ours(steps: int, warmup: int, batch_size: int) -> float:
    import lightning as L

    from slm_recipes.cli.training import load_training_cli

    timer = TokenTimer(warmup)

    class Timing(L.Callback):
        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            timer.batch(int(batch["attention_mask"].sum()))

    args = ["--config", str(DEMO), "--trainer.max_steps", str(steps + warmup), "--trainer.limit_val_batches", "0",
            "--trainer.enable_checkpointing", "false", "--trainer.logger", "false", "--trainer.callbacks", "[]",
            "--trainer.enable_progress_bar", "false", "--evaluation.enabled", "false", "--data.batch_size", str(batch_size),
            "--data.val_fraction", "0", "--data.train_file", str(REPO / "recipes/demo/qa.jsonl")]
    cli = load_training_cli(args)
    cli.trainer.callbacks.append(Timing())
    cli.trainer.fit(cli.model, cli.datamodule)
    # the timer starts at the first timed batch and stops at the end of the last step
    return timer.rate()


def run_hf(steps: int, warmup: int, batch_size: int, padded: bool, max_length: int) -> float:
    from peft import LoraConfig, get_peft_model
    from slm_recipes.datamodules.chat_encoding import encode_chat, with_system_prompt
    from slm_recipes.datamodules.collate import pad_batch
    from slm_recipes.datamodules.formats import load_examples
    from transformers import AutoModelForCausalLM, Trainer, TrainerCallback, TrainingArguments

    from slm_recipes.hub.models import BUNDLED_SMOLLM2, resolve_model
    from slm_recipes.hub.tokenizers import load_tokenizer

    tokenizer = load_tokenizer(BUNDLED_SMOLLM2)
    system = "你是星河科技的报销制度助手。"
    rows = [encode_chat(tokenizer, with_system_prompt(e.messages, system)) for e in load_examples(REPO / "recipes/demo/qa.jsonl")]
    data = [{"input_ids": r.input_ids, "labels": r.labels} for r in rows]
    model = AutoModelForCausalLM.from_pretrained(resolve_model(BUNDLED_SMOLLM2))
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules="all-linear",
                                             task_type="CAUSAL_LM"))
    timer = TokenTimer(warmup)
    collate = partial(pad_batch, pad_id=tokenizer.pad_token_id, pad_to_multiple_of=max_length if padded else 1)

    def counting_collate(features):
        batch = collate(features)
        timer.pending = int(batch["attention_mask"].sum())
        return batch

    class Timing(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            timer.batch(timer.pending)

    arguments = TrainingArguments(
        output_dir=str(REPO / "logs" / "benchmark-hf"), per_device_train_batch_size=batch_size, max_steps=steps + warmup,
        learning_rate=1e-3, warmup_steps=5, lr_scheduler_type="cosine", max_grad_norm=1.0, logging_steps=1000,
        save_strategy="no", report_to=[], dataloader_num_workers=0, **_length_grouping(not padded),
        remove_unused_columns=False, use_cpu=not torch.cuda.is_available(), disable_tqdm=True,
    )
    Trainer(model=model, args=arguments, train_dataset=data, data_collator=counting_collate, callbacks=[Timing()]).train()
    return timer.rate()


def _length_grouping(on: bool) -> dict:
    """transformers 5 spells the Trainer's length grouping `train_sampling_strategy`; 4.x `group_by_length`."""
    import dataclasses

    from transformers import TrainingArguments

    if "train_sampling_strategy" in {f.name for f in dataclasses.fields(TrainingArguments)}:
        return {"train_sampling_strategy": "group_by_length" if on else "random"}
    return {"group_by_length": on}


def matmul_rate(n: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=256)
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from slm_recipes.hub.models import BUNDLED_SMOLLM2, resolve_model

    with safe_open(Path(resolve_model(BUNDLED_SMOLLM2)) / "model.safetensors", "pt") as weights:
        params = sum(math.prod(weights.get_slice(name).get_shape()) for name in weights.keys())
    peak = matmul_rate()
    rates = {
        "ours": run_ours(args.steps, args.warmup, args.batch_size),
        "hf-grouped": run_hf(args.steps, args.warmup, args.batch_size, padded=False, max_length=args.max_length),
        "hf-padded": run_hf(args.steps, args.warmup, args.batch_size, padded=True, max_length=args.max_length),
    }
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
          f"threads {torch.get_num_threads()}")
    print(f"matmul rate: {peak / 1e9:.1f} GFLOP/s (fp32 {2048}x{2048})")
    for name, rate in rates.items():
        print(f"{name:<11} {rate:8.1f} tokens/s   model FLOPs share {6 * params * rate / peak:6.1%}")
    print(f"ratio ours / hf-grouped: {rates['ours'] / rates['hf-grouped']:.2f}x")
    print(f"ratio ours / hf-padded:  {rates['ours'] / rates['hf-padded']:.2f}x")


if __name__ == "__main__":
    main()
