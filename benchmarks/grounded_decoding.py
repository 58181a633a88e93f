"""Generated tokens per second of `generate` with GroundedNumbers against without it, in the same run.

Same model (the real SmolLM2-135M-Instruct, fp32, CPU by default), same prompts: the first N demo
questions as training asked them; each row's source (whose numbers its answer may state) is its article
of the demo rules plus the question, as retrieval would give it. The passage stays out of the prompt so
that decoding, where the processor's cost lies, is what is timed, not a long prefill. Left-padded batches,
greedy, cut at end of turn as `generate_answers` does.
Each batch runs without and with it back to back, --repeats times each; the best time counts. Prints both rates and the ratio, and how
many answers state a number their source does not:

    python benchmarks/grounded_decoding.py [--prompts 16] [--max-new-tokens 64] [--batch-size 8] [--threads 2]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import torch
from slm_recipes.datamodules.chat_encoding import encode_prompt
from slm_recipes.datamodules.questions import load_questions
from smollm2 import add_model_arguments, load_smollm2
from transformers import LogitsProcessorList

from slm_recipes.generation.answers import generation_config, left_pad, stop_token_ids
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.generation.grounded_numbers import GroundedNumbers, allowed_numbers

REPO = Path(__file__).resolve().parents[1]
SYSTEM_PROMPT = "你是星河科技的报销制度助手。"
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
ARTICLE = re.compile(r"^第[〇零一二三四五六七八九十百]+条.*$", re.MULTILINE)


def stray(answer: str, source: str) -> bool:
    """Whether `answer` states a number with an Arabic digit that `source` does not (fullwidth digits as ASCII);
    a number the token limit cut short counts if it is no prefix of one."""
    allowed = {run.translate(FULLWIDTH) for run in allowed_numbers(source)}
    for run in allowed_numbers(answer):
        written = run.translate(FULLWIDTH)
        cut_short = answer.endswith(run) and any(a.startswith(written) for a in allowed)
        if re.search(r"[0-9０-９]", run) and written not in allowed and not cut_short:
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    add_model_arguments(parser)
    args = parser.parse_args()
    tokenizer, model = load_smollm2(args)
    articles = ARTICLE.findall((REPO / "recipes/demo/reimbursement_rules.txt").read_text(encoding="utf-8"))
    questions = load_questions(REPO / "recipes/demo/qa.jsonl", SYSTEM_PROMPT, limit=args.prompts)
    sources = [f"{articles[int(q.meta['chunk_id'].rsplit('-', 1)[1]) - 1]}\n\n问题：{q.question}" for q in questions]
    prompts = [encode_prompt(tokenizer, q.prompt) for q in questions]
    stops = stop_token_ids(tokenizer)
    config = generation_config(GenerationSettings(max_new_tokens=args.max_new_tokens), stops, tokenizer.pad_token_id)

    @torch.no_grad()
    def run(rows: range, grounded: bool) -> tuple[float, int, list[str]]:
        """(seconds, new tokens up to end of turn, answers) of one batch."""
        input_ids, attention_mask = left_pad(prompts[rows.start:rows.stop], tokenizer.pad_token_id, model.device)
        width = input_ids.shape[1]
        began = time.perf_counter()
        processors = [GroundedNumbers(tokenizer, sources[rows.start:rows.stop], width)] if grounded else []
        out = model.generate(input_ids=input_ids, attention_mask=attention_mask, generation_config=config,
                             logits_processor=LogitsProcessorList(processors))
        seconds = time.perf_counter() - began
        rows_out = [row[:next((n for n, t in enumerate(row) if t in stops), len(row))] for row in out[:, width:].tolist()]
        return seconds, sum(map(len, rows_out)), [tokenizer.decode(row, skip_special_tokens=True) for row in rows_out]

    batches = [range(start, min(start + args.batch_size, len(prompts))) for start in range(0, len(prompts), args.batch_size)]
    run(range(1), False)  # warm-up: kernels
    run(range(1), True)  # and the tokenizer's vocabulary, read once for every GroundedNumbers
    best: dict[bool, list[tuple[float, int, list[str]]]] = {False: [], True: []}
    for rows in batches:  # each batch without and with, back to back, so both sides see the same machine
        for grounded in (False, True):
            best[grounded].append(min(run(rows, grounded) for _ in range(args.repeats)))
    print(f"SmolLM2-135M-Instruct, {len(prompts)} prompts x {args.max_new_tokens} new tokens, batch {args.batch_size}, "
          f"greedy, {args.device}, {torch.get_num_threads()} threads, best of {args.repeats} per batch")
    rates = {}
    for grounded, results in best.items():
        seconds, tokens = sum(r[0] for r in results), sum(r[1] for r in results)
        strays = sum(stray(a, s) for a, s in zip((a for r in results for a in r[2]), sources))
        rates[grounded] = tokens / seconds
        print(f"{'with' if grounded else 'without'} GroundedNumbers: {tokens} new tokens in {seconds:.2f}s; "
              f"{strays}/{len(sources)} answers state a number not in their source")
    print(f"grounded decoding: {rates[True]:.0f} tokens/s vs {rates[False]:.0f} tokens/s without = "
          f"{rates[True] / rates[False]:.2f}x")

if __name__ == "__main__":
    main()
