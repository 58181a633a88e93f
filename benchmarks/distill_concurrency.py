"""Distill throughput against a loopback OpenAI-compatible teacher that answers after 300 ms.

Run: .venv/bin/python benchmarks/distill_concurrency.py [--chunks 200] [--delay 0.3] [--concurrency 1 8]
Each setting is a full `run_distill` (prompts, the real `openai` client through OpenAICompatibleTeacher,
cache, journal, atomic output) over the same chunks, one stage, a fresh cache each time, in one run.
Ideal at concurrency c is c / delay chunks per second. Target: ≥ 0.8 of ideal at concurrency 8.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

from slm_recipes.core.run_paths import RunPaths
from slm_recipes.distill.config import DistillConfig
from slm_recipes.distill.keys import KeyPool
from slm_recipes.distill.openai_compatible import OpenAICompatibleTeacher
from slm_recipes.distill.pipeline import run_distill

LOOPBACK = Path(__file__).resolve().parents[1] / "tests" / "distill" / "loopback.py"


def load_loopback():
    spec = importlib.util.spec_from_file_location("distill_loopback", LOOPBACK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()
    lb = load_loopback()
    reply = lb.chat_ok(json.dumps({"pairs": [{"question": "报销上限是多少？", "answer": "3000元。"}]}, ensure_ascii=False))
    reply.delay = args.delay
    rates: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp, lb.Loopback(default=reply) as server:
        chunks = Path(tmp) / "chunks.jsonl"
        chunks.write_text("".join(json.dumps({"id": f"c{i}", "doc": "d.txt", "pages": [1, 1],
                                              "text": f"第{i}条 差旅住宿标准为每晚{300 + i}元。"}, ensure_ascii=False) + "\n"
                                  for i in range(args.chunks)), encoding="utf-8")
        for c in args.concurrency:
            teacher = OpenAICompatibleTeacher("bench", KeyPool("openai_compatible", []), server.url + "/v1")
            config = DistillConfig(teachers=["openai_compatible"], stages=["numeric"], concurrency=c)
            paths = RunPaths("bench", "m", chunks_file=chunks, distilled_file=f"{tmp}/out-{c}/distilled.jsonl",
                             distill_cache_folder=f"{tmp}/cache-{c}")
            start = time.perf_counter()
            report = run_distill(config, paths, [teacher], show_progress=False)
            seconds = time.perf_counter() - start
            assert report.requested == args.chunks and not report.failures, report
            rates[c] = args.chunks / seconds
            ideal = c / args.delay
            print(f"concurrency {c}: {args.chunks} chunks in {seconds:.2f} s = {rates[c]:.2f} chunks/s "
                  f"(ideal {ideal:.2f}, {rates[c] / ideal:.3f} of ideal)")
    low, high = min(rates), max(rates)
    print(f"speed-up {low}→{high}: {rates[high] / rates[low]:.2f}× (ideal {high / low:.0f}×); "
          f"share of ideal at {high}: {rates[high] / (high / args.delay):.3f} (target ≥ 0.8)")


if __name__ == "__main__":
    main()
