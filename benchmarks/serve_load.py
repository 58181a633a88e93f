"""Load on `slm serve` at 1, 4 and 16 concurrent clients, against `slm predict`'s batch mode and llama.cpp's server.

Each client sends the next question as soon as its last answer arrives (a closed loop), non-streamed,
greedy, `--max-tokens` at most; throughput is generated tokens per second over all clients (the
servers' own usage counts), latency is per request. Same model, same questions (the demo's
person-written paraphrases, repeated as needed), same machine, one after the other in this run:

- **serve open**: `slm serve --config recipes/demo.yaml --merged M` (open-book, as the demo answers);
- **serve closed**: the same server with `"retrieval": false` (no passages: what llama.cpp is given);
- **predict**: the answers `slm predict` generates in batch mode (`answer_questions`, batch 16, the
  server's max_batch), open- and closed-book, timed around generation only;
- **llama.cpp**: `python -m llama_cpp.server` (llama-cpp-python's OpenAI server) on the GGUF export,
  closed-book (it has no index), when its server extra is installed (pip install -e ".[bench,llama]").

    python benchmarks/serve_load.py [--merged exports/demo/merged] [--gguf exports/demo/demo-q8_0.gguf]

Without the demo's exports (run `slm fit --config recipes/demo.yaml` first) it serves the base
SmolLM2-135M-Instruct and the bundled GGUF. Servers bind 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
RECIPE = REPO / "recipes/demo.yaml"
CLIENTS = (1, 4, 16)


def requests_for(clients: int) -> int:
    """Enough requests that every client sends at least two, and one client still sends eight."""
    return max(8, 2 * clients)


async def closed_loop(url: str, model: str, questions: list[str], clients: int, max_tokens: int,
                      extra: dict, headers: dict[str, str] | None = None) -> dict:
    """`clients` clients sharing `requests_for(clients)` questions; throughput and latency percentiles."""
    todo = [questions[n % len(questions)] for n in range(requests_for(clients))]
    latencies: list[float] = []
    tokens = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal tokens
        while todo:
            question = todo.pop()
            start = time.perf_counter()
            reply = await http.post(f"{url}/v1/chat/completions", json={
                "model": model, "messages": [{"role": "user", "content": question}], "max_tokens": max_tokens,
                "temperature": 0, **extra})
            reply.raise_for_status()
            latencies.append(time.perf_counter() - start)
            tokens += reply.json()["usage"]["completion_tokens"]

    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=clients), headers=headers) as http:
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {"clients": clients, "requests": len(latencies), "tokens": tokens, "seconds": elapsed,
            "tokens_per_s": tokens / elapsed, "p50_s": statistics.median(latencies),
            "p99_s": latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]}


class Process:
    """A server in a subprocess, stopped on exit; its output kept for an error message."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self.output: list[str] = []
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True).start()

    def wait_for(self, ready, what: str, timeout: float = 600) -> None:
        until = time.monotonic() + timeout
        while not ready():
            if self.process.poll() is not None or time.monotonic() > until:
                self.stop()
                sys.exit(f"{what} did not start:\n{''.join(self.output[-30:])}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def serve_ours(merged: Path) -> tuple[Process, str]:
    server = Process([sys.executable, "-m", "slm_recipes.cli", "serve", "--config", str(RECIPE), "--merged",
                      str(merged), "--port", "0"],
                     env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    found: list[str] = []

    def ready() -> bool:
        for line in list(server.output):
            if match := re.search(r"at (http://127\.0\.0\.1:\d+)/v1", line):
                found.append(match.group(1))
        return bool(found)

    server.wait_for(ready, "slm serve")
    return server, found[0]


def serve_llama_cpp(gguf: Path, threads: int) -> tuple[Process, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Process([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
                      "--port", str(port), "--n_ctx", "2048", "--n_threads", str(threads)])
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{url}/v1/models", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    server.wait_for(ready, "llama_cpp.server")
    return server, url


def predict_rate(merged: Path, questions: list[str], max_tokens: int, batch_size: int) -> dict[str, float]:
    """Tokens/s of `slm predict`'s generation (answer_questions) on the same questions, open- and closed-book."""
    from dataclasses import replace

    from slm_recipes.datamodules.chat_encoding import with_system_prompt

    from slm_recipes.assembly.answering import recipe_open_book
    from slm_recipes.assembly.artefacts import open_model
    from slm_recipes.generation.answers import answer_questions
    from slm_recipes.recipe.parser import load_recipe

    recipe = load_recipe(["--config", str(RECIPE)])
    loaded = open_model(recipe.paths, recipe.model_name, recipe.generation, recipe.system_prompt, ("merged", merged))
    settings = replace(loaded.settings, max_new_tokens=max_tokens, batch_size=batch_size)
    prompts = [with_system_prompt([{"role": "user", "content": q}], loaded.system_prompt) for q in questions]
    out = {}
    for name, book in (("open", recipe_open_book(recipe, loaded.tokenizer, False)), ("closed", None)):
        start = time.perf_counter()
        answers = answer_questions(loaded.model, loaded.tokenizer, prompts, settings, book)
        out[name] = sum(a.new_tokens for a in answers) / (time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merged", type=Path, default=REPO / "exports/demo/merged")
    parser.add_argument("--gguf", type=Path, default=REPO / "exports/demo/demo-q8_0.gguf")
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="llama.cpp threads")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    merged, gguf = args.merged, args.gguf
    if not (merged / "config.json").is_file():
        from slm_recipes.hub.models import BUNDLED_SMOLLM2, _bundled_gguf, resolve_model

        merged, gguf = Path(resolve_model(BUNDLED_SMOLLM2)), _bundled_gguf()
        print(f"no {args.merged}: serving the base {merged} and the bundled GGUF {gguf}")
    subprocess.run([sys.executable, "-m", "slm_recipes.cli", "index", "--config", str(RECIPE)], cwd=REPO, check=True)
    questions = [json.loads(line)["question"] for line in (REPO / "recipes/demo/paraphrased_eval.jsonl")
                 .read_text(encoding="utf-8").splitlines() if line.strip()]
    most = requests_for(max(CLIENTS))
    batch = [questions[n % len(questions)] for n in range(most)]
    print(f"{len(questions)} questions, max_tokens {args.max_tokens}, greedy; model {merged}; {os.cpu_count()} CPUs")
    results: dict[str, object] = {"predict": predict_rate(merged, batch, args.max_tokens, 16)}
    print(f"predict batch 16: open {results['predict']['open']:.1f} tokens/s, "
          f"closed {results['predict']['closed']:.1f} tokens/s")
    runs = [("serve open", {}), ("serve closed", {"retrieval": False})]
    server, url = serve_ours(merged)
    try:
        for name, extra in runs:
            results[name] = [asyncio.run(closed_loop(url, "demo", questions, n, args.max_tokens, extra))
                             for n in CLIENTS]
    finally:
        server.stop()
    if importlib.util.find_spec("llama_cpp") and importlib.util.find_spec("sse_starlette") and gguf and gguf.is_file():
        server, url = serve_llama_cpp(gguf, args.threads)
        try:
            results["llama.cpp"] = [asyncio.run(closed_loop(url, str(gguf), questions, n, args.max_tokens, {}))
                                    for n in CLIENTS]
        finally:
            server.stop()
    else:
        print("llama.cpp: not measured (pip install -e \".[bench,llama]\" and a GGUF file)")
    print(f"\n{'server':<13} {'clients':>7} {'requests':>8} {'tokens/s':>9} {'p50 s':>7} {'p99 s':>7}")
    for name in ("serve open", "serve closed", "llama.cpp"):
        for row in results.get(name, []):
            print(f"{name:<13} {row['clients']:>7} {row['requests']:>8} {row['tokens_per_s']:>9.1f} "
                  f"{row['p50_s']:>7.2f} {row['p99_s']:>7.2f}")
    for name, book in (("serve open", "open"), ("serve closed", "closed")):
        rows = {row["clients"]: row["tokens_per_s"] for row in results[name]}
        print(f"{name}: 16 clients / 1 client {rows[16] / rows[1]:.2f}x; 16 clients / predict batch 16 "
              f"{rows[16] / results['predict'][book]:.2f}x")
    if "llama.cpp" in results:
        ours = {row["clients"]: row["tokens_per_s"] for row in results["serve closed"]}
        theirs = {row["clients"]: row["tokens_per_s"] for row in results["llama.cpp"]}
        print("serve closed / llama.cpp: " + ", ".join(f"{n} clients {ours[n] / theirs[n]:.2f}x" for n in CLIENTS))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
