"""Answers per second of batched, left-padded greedy generation against one question at a time.

Same model (SmolLM2-135M-Instruct, fp32, CPU by default), same questions (the first N of the
demo's QA pairs, with the demo's system prompt), same run. Prints each side and the ratio:

    python benchmarks/generation_speed.py [--questions 64] [--max-new-tokens 32] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import torch
from slm_recipes.datamodules.questions import load_questions
from smollm2 import add_model_arguments, load_smollm2

from slm_recipes.generation.answers import generate_answers
from slm_recipes.generation.config import GenerationSettings

SYSTEM_PROMPT = "你是星河科技的报销制度助手。"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=64)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[8, 16])
    add_model_arguments(parser)
    args = parser.parse_args()
    tokenizer, model = load_smollm2(args)
    prompts = [q.prompt for q in load_questions("recipes/demo/qa.jsonl", SYSTEM_PROMPT, limit=args.questions)]
    generate_answers(model, tokenizer, prompts[:2], GenerationSettings(max_new_tokens=4, batch_size=2))  # warm-up

    def run(batch_size: int) -> tuple[float, list[str], int]:
        settings = GenerationSettings(max_new_tokens=args.max_new_tokens, batch_size=batch_size)
        start = time.perf_counter()
        answers = generate_answers(model, tokenizer, prompts, settings)
        elapsed = time.perf_counter() - start
        return len(prompts) / elapsed, [a.text for a in answers], sum(a.new_tokens for a in answers)

    print(f"{len(prompts)} questions, max_new_tokens {args.max_new_tokens}, greedy, {args.device}, "
          f"{torch.get_num_threads()} threads")
    single, single_answers, tokens = run(1)
    print(f"one at a time: {single:.2f} answers/s ({tokens} new tokens)")
    for batch_size in args.batch_sizes:
        rate, answers, tokens = run(batch_size)
        same = sum(a == b for a, b in zip(answers, single_answers))
        print(f"batch {batch_size:>2}: {rate:.2f} answers/s ({tokens} new tokens), {rate / single:.2f}x one at a time; "
              f"{same}/{len(prompts)} answers identical to one at a time")


if __name__ == "__main__":
    main()
