"""`slm chat` streams, turn by turn, what generate_answers says to the same conversation."""

from __future__ import annotations

import io
import re

import pytest
from transformers import AutoModelForCausalLM

from slm_recipes.cli.main import cli_main
from slm_recipes.core.devices import best_device
from slm_recipes.generation.answers import generate_answers
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.hub.tokenizers import load_tokenizer

pytestmark = pytest.mark.usefixtures("one_torch_thread")
SYSTEM = {"role": "system", "content": "你是星河科技的报销制度助手。"}  # recipes/demo.yaml's system prompt
SETTINGS = GenerationSettings(max_new_tokens=8, batch_size=2, repetition_penalty=3.0)  # the tiny recipe's
FIRST, SECOND = "住宿费上限是多少元？", "出差超过15天由谁审批？"


def chat(argv: list[str], stdin: str, monkeypatch, capsys) -> tuple[str, list[str]]:
    """stdout of `slm chat` fed `stdin` through a pipe, and the answers it streamed."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    cli_main(["chat", *argv])
    out = capsys.readouterr().out
    answers = re.findall(r"^model> (.*?)\n(?:\(cut at max_new_tokens \d+\)\n)?you> ", out, flags=re.DOTALL | re.MULTILINE)
    return out, answers


def test_streams_multi_turn_answers_and_reset_starts_over(tiny_recipe, tiny_qwen2, monkeypatch, capsys):
    stdin = f"{FIRST}\n{SECOND}\n/reset\n\n{FIRST}\n/exit\n{SECOND}\n"
    out, answers = chat([*tiny_recipe, "--merged", str(tiny_qwen2)], stdin, monkeypatch, capsys)
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen2).to(best_device())  # where chat loads it
    tokenizer = load_tokenizer(str(tiny_qwen2))
    first = generate_answers(model, tokenizer, [[SYSTEM, {"role": "user", "content": FIRST}]], SETTINGS)[0].text
    history = [SYSTEM, {"role": "user", "content": FIRST}, {"role": "assistant", "content": first},
               {"role": "user", "content": SECOND}]
    second = generate_answers(model, tokenizer, [history], SETTINGS)[0].text
    assert [a.strip() for a in answers] == [first, second, first]  # nothing asked after /exit
    assert first and second != first
    assert f"model: merged {tiny_qwen2}" in out and "generation: greedy" in out and "max_new_tokens 8" in out
    assert f"system prompt: {SYSTEM['content']}" in out and "(new conversation)" in out
    assert f"you> {FIRST}\nmodel> " in out  # a piped line is echoed after its prompt


class Writes(io.StringIO):
    """stdout that keeps each write, to see an answer arrive in pieces."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []

    def write(self, text: str) -> int:
        self.pieces.append(text)
        return super().write(text)


def test_the_answer_arrives_while_it_is_generated(tiny_recipe, tiny_qwen2, monkeypatch):
    stdout = Writes()
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{FIRST}\n"))
    monkeypatch.setattr("sys.stdout", stdout)
    cli_main(["chat", *tiny_recipe, "--merged", str(tiny_qwen2)])
    after = [p for p in stdout.pieces[stdout.pieces.index("model> ") + 1:] if p.strip()]
    pieces = after[:next(i for i, p in enumerate(after) if p.startswith("(cut at max_new_tokens 8)"))]
    assert len(pieces) > 2  # printed a piece per word or so, not the answer at the end


def test_end_of_input_ends_the_session(tiny_recipe, tiny_qwen2, monkeypatch, capsys):
    out, _ = chat([*tiny_recipe, "--merged", str(tiny_qwen2), "--generation.temperature", "0.7"], f"{FIRST}\n",
                  monkeypatch, capsys)
    assert "generation: temperature 0.7, top_p 1.0" in out
    assert out.count("model> ") == 1 and out.endswith("you> \n")


def test_without_a_trained_model_says_to_fit_first(tiny_recipe, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["chat", *tiny_recipe])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith("error: no trained model for this recipe")
    assert "run `slm fit --config R` first" in err


def test_help(capsys):
    cli_main(["chat", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: slm chat") and "--merged MERGED" in out and "/reset" in out


def test_open_book_chat_prints_the_source_and_refuses_what_no_passage_answers(tiny_recipe, tiny_qwen2, tmp_path,
                                                                             monkeypatch, capsys):
    rules = tmp_path / "rules.txt"
    rules.write_text("第一条 住宿费每人每晚不超过380元。\n第二条 机票应至少提前7天预订。\n", encoding="utf-8")
    argv = [*tiny_recipe, "--data.context", "raft", "--ingest.sources", f"[{rules}]", "--merged", str(tiny_qwen2)]
    cli_main(["index", *argv[:-2]])
    capsys.readouterr()
    out, _ = chat(argv, "机票要提前几天预订？\n今天天气怎么样？\n", monkeypatch, capsys)
    assert "source: rules.txt p.1: 第二条 机票应至少提前7天预订。" in out
    assert "model> 所给文档中没有关于这个问题的规定。\n" in out
    closed, _ = chat([*argv, "--no-retrieval"], "机票要提前几天预订？\n", monkeypatch, capsys)
    assert "source:" not in closed
