"""`slm serve` itself in a subprocess over the tiny model and a small rules document, as a user starts it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import qa_records, write_jsonl

from slm_recipes.cli.main import cli_main

REPO = Path(__file__).resolve().parents[2]
KEY = "sk-test-fake-key-0123456789"  # not a real key: the server only compares it
RULES = "".join(f"{line}\n" for line in [
    "第一条 住宿费每人每晚不超过380元。",
    "第二条 机票应至少提前7天预订。",
    "第三条 市内交通费每天不超过60元。",
    "第四条 出差伙食补助每天100元。",
    "第五条 报销应在出差结束后30天内提交。",
    "第六条 自驾出差按每公里1.2元给予燃油补贴。",
    "第七条 会议费每人每天不超过550元。",
    "第八条 培训期间的住宿费每晚不超过300元。",
])
QUESTIONS = ["住宿费每晚最多多少元？", "机票要提前几天订？", "市内交通费每天多少？", "伙食补助每天多少钱？",
             "报销要在多少天内提交？", "自驾每公里补贴多少？", "会议费每天上限是多少？", "培训住宿每晚多少？"]
UNANSWERABLE = "今天天气怎么样？"
LIMITS = ["--serve.max_tokens", "32", "--serve.max_messages", "6", "--serve.max_prompt_tokens", "400",
          "--serve.max_body_bytes", "20000", "--serve.batch_window_ms", "300"]


@dataclass
class Site:
    """A running `slm serve`, and what `slm predict` answered for the same questions beforehand."""

    url: str
    folder: Path
    open_book: list[dict]  # predict's lines, open-book, for QUESTIONS + [UNANSWERABLE]
    closed_book: list[dict]  # predict --no-retrieval
    output: list[str]  # the server's printed lines

    def printed(self) -> str:
        return "\n".join(self.output)


def _predict(args: list[str], folder: Path, name: str, *extra: str) -> list[dict]:
    questions = write_jsonl(folder / "questions.jsonl", [{"question": q} for q in [*QUESTIONS, UNANSWERABLE]])
    cli_main(["predict", *args, *extra, "--input", str(questions), "--output", str(folder / name)])
    return [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines()]


def start_site(folder: Path, tiny_model: Path):
    """`slm serve` over the tiny model, open-book, with an API key, started as a user starts it (port 0); yields a Site."""
    (folder / "rules.txt").write_text(RULES, encoding="utf-8")
    train = write_jsonl(folder / "train.jsonl", qa_records(4))
    args = ["--config", str(REPO / "recipes/demo.yaml"), "--model.model_name", str(tiny_model),
            "--data.train_file", str(train), "--data.val_file", "null", "--data.eval_file", "null",
            "--data.context", "raft", "--ingest.sources", f"[{folder / 'rules.txt'}]", "--name", "tiny",
            "--generation.max_new_tokens", "8", "--generation.batch_size", "2",
            "--generation.repetition_penalty", "3.0"]  # a random tiny model repeats a newline without it
    here = os.getcwd()
    os.chdir(folder)
    try:
        cli_main(["index", *args])
        open_book = _predict(args, folder, "open.jsonl", "--merged", str(tiny_model))
        closed_book = _predict(args, folder, "closed.jsonl", "--merged", str(tiny_model), "--no-retrieval")
    finally:
        os.chdir(here)
    env = {**os.environ, "SLM_API_KEY": KEY, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    process = subprocess.Popen([sys.executable, "-m", "slm_recipes.cli", "serve", *args, *LIMITS,
                                "--merged", str(tiny_model), "--port", "0"], cwd=folder, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(line.rstrip("\n") for line in process.stdout), daemon=True)
    reader.start()
    url = None
    until = time.monotonic() + 180  # a hang guard, not a speed check
    while url is None and process.poll() is None and time.monotonic() < until:
        found = [re.search(r"at (http://127\.0\.0\.1:\d+)/v1", line) for line in list(output)]
        url = next((m.group(1) for m in found if m), None)
        time.sleep(0.1)
    if url is None:
        process.kill()
        pytest.fail("slm serve did not start:\n" + "\n".join(output))
    yield Site(url, folder, open_book, closed_book, output)
    process.terminate()
    process.wait(timeout=30)
