"""`slm predict` answers every record as generate_answers would, in file order, keeping the record's fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import write_jsonl
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM

from slm_recipes.cli.main import cli_main
from slm_recipes.core.devices import best_device
from slm_recipes.generation.answers import generate_answers
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.hub.tokenizers import load_tokenizer

DEMO = Path(__file__).resolve().parents[2] / "recipes/demo.yaml"
pytestmark = pytest.mark.usefixtures("one_torch_thread")
SYSTEM_PROMPT = "你是星河科技的报销制度助手。"  # recipes/demo.yaml's
SETTINGS = GenerationSettings(max_new_tokens=8, batch_size=2, repetition_penalty=3.0)  # the tiny recipe's
RECORDS = [
    {"id": "q1", "question": "住宿费上限是多少元？", "answer": "每天不超过380元。", "chunk_id": "c1", "numbers": ["380元"]},
    {"question": "长期驻外期间，每日饭补发多少钱？需要什么材料才能报销？"},
    {"id": "m1", "messages": [{"role": "user", "content": "出差超过15天由谁审批？"},
                              {"role": "assistant", "content": "由分管副总审批。"},
                              {"role": "user", "content": "需要提前几天？"}]},
    {"id": "m2", "conversations": [{"from": "human", "value": "报销款会以现金支付吗？"}, {"from": "gpt", "value": "不会。"}],
     "note": "kept"},
    {"id": "a1", "instruction": "hi"},
]
PROMPTS = [
    [{"role": "user", "content": "住宿费上限是多少元？"}],
    [{"role": "user", "content": "长期驻外期间，每日饭补发多少钱？需要什么材料才能报销？"}],
    RECORDS[2]["messages"],
    [{"role": "user", "content": "报销款会以现金支付吗？"}],
    [{"role": "user", "content": "hi"}],
]


def expected_answers(model) -> list:
    """generate_answers on the records' conversations, with the recipe's system prompt and settings."""
    prompts = [[{"role": "system", "content": SYSTEM_PROMPT}, *p] for p in PROMPTS]
    return generate_answers(model, load_tokenizer(model.config.name_or_path), prompts, SETTINGS)


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_answers_every_record_in_order_as_generate_answers_does(tiny_recipe, tiny_qwen2, tmp_path, capsys):
    questions = write_jsonl(tmp_path / "questions.jsonl", RECORDS)
    cli_main(["predict", *tiny_recipe, "--merged", str(tiny_qwen2), "--input", str(questions),
              "--output", str(tmp_path / "out/answers.jsonl")])
    out = read_jsonl(tmp_path / "out/answers.jsonl")
    expected = expected_answers(AutoModelForCausalLM.from_pretrained(tiny_qwen2).to(best_device()))
    assert [r["answer"] for r in out] == [a.text for a in expected] and all(r["answer"] for r in out)
    assert [r["ended"] for r in out] == [a.ended for a in expected]
    assert [r.get("id") for r in out] == ["q1", None, "m1", "m2", "a1"]
    assert [r["question"] for r in out] == ["住宿费上限是多少元？", RECORDS[1]["question"], "需要提前几天？",
                                            "报销款会以现金支付吗？", "hi"]
    assert out[0]["reference"] == "每天不超过380元。" and out[0]["numbers"] == ["380元"] and out[0]["chunk_id"] == "c1"
    assert out[3]["reference"] == "不会。" and out[3]["note"] == "kept"
    assert out[2]["messages"] == RECORDS[2]["messages"] and "reference" not in out[2] and "reference" not in out[1]
    assert list(out[0])[:5] == ["id", "question", "answer", "ended", "reference"]
    printed = capsys.readouterr().out
    assert f"model: merged {tiny_qwen2}" in printed and f"system prompt: {SYSTEM_PROMPT}" in printed
    assert "wrote 5 answers to" in printed


def test_without_an_artefact_flag_the_runs_adapter_answers(tiny_recipe, tiny_qwen2, tmp_path):
    base = expected_answers(AutoModelForCausalLM.from_pretrained(tiny_qwen2).to(best_device()))
    adapted = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_qwen2).to(best_device()),
                             LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    adapted.save_pretrained(tmp_path / "logs/tiny" / tiny_qwen2.name / "adapter")  # where `slm fit` keeps it
    questions = write_jsonl(tmp_path / "questions.jsonl", RECORDS)
    cli_main(["predict", *tiny_recipe, "--input", str(questions), "--output", str(tmp_path / "answers.jsonl")])
    answers = [r["answer"] for r in read_jsonl(tmp_path / "answers.jsonl")]
    assert answers == [a.text for a in expected_answers(adapted)]
    assert answers != [a.text for a in base]  # random LoRA weights (not zero-initialised): not the base's answers


@pytest.mark.parametrize("line, message", [
    ('{"question": "ok?"', "not valid JSON"),
    ('{"id": "x"}', "unknown record shape"),
    ('{"messages": [{"role": "system", "content": "a"}, {"role": "assistant", "content": "b"}]}', "no user question"),
    ('{"messages": "hi"}', "must be a non-empty list of turns"),
    ('["question"]', "expected a JSON object"),
])
def test_a_bad_line_is_an_error_naming_file_and_line(tmp_path, monkeypatch, capsys, line, message):
    monkeypatch.chdir(tmp_path)
    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"question": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["predict", "--config", str(DEMO), "--input", str(questions), "--output", "answers.jsonl"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith(f"error: {questions}:2: ") and message in err
    assert not (tmp_path / "answers.jsonl").exists()


@pytest.mark.parametrize("argv, message", [
    (["--output", "a.jsonl"], "needs --input Q.jsonl and --output A.jsonl"),
    (["--input", "missing.jsonl", "--output", "a.jsonl"], "missing.jsonl does not exist"),
    (["--input", "q.jsonl", "--output", "q.jsonl"], "would overwrite the input"),
])
def test_input_and_output_are_checked_before_the_model_loads(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)  # no trained model here: the check comes first
    with pytest.raises(SystemExit):
        cli_main(["predict", "--config", str(DEMO), *argv])
    assert message in capsys.readouterr().err


def test_help(capsys):
    cli_main(["predict", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: slm predict") and "--input INPUT" in out and "--output OUTPUT" in out and "--gguf GGUF" in out


def test_an_output_that_cannot_be_written_fails_before_the_model_loads(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no trained model here: the check comes first
    questions = write_jsonl(tmp_path / "q.jsonl", [{"question": "住宿费上限是多少元？"}])
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(SystemExit) as stop:
        cli_main(["predict", "--config", str(DEMO), "--input", str(questions), "--output", "taken/answers.jsonl"])
    err = capsys.readouterr().err.strip()
    assert stop.value.code == 2 and err.startswith("error: taken/answers.jsonl: ") and "\n" not in err


def test_open_book_answers_name_their_passages_and_no_retrieval_answers_closed_book(tiny_recipe, tiny_qwen2, tmp_path,
                                                                                  capsys):
    from slm_recipes.generation.answers import answer_questions
    from slm_recipes.recipe.parser import load_recipe

    rules = tmp_path / "rules.txt"
    rules.write_text("第一条 住宿费每人每晚不超过380元。\n第二条 机票应至少提前7天预订。\n", encoding="utf-8")
    open_book = [*tiny_recipe, "--data.context", "raft", "--ingest.sources", f"[{rules}]"]
    questions = write_jsonl(tmp_path / "questions.jsonl", [{"id": "q1", "question": "住宿费每晚最多多少元？"},
                                                           {"id": "q2", "question": "今天天气怎么样？"}])
    with pytest.raises(SystemExit):  # no index yet: one line naming the command that makes it
        cli_main(["predict", *open_book, "--merged", str(tiny_qwen2), "--input", str(questions),
                  "--output", str(tmp_path / "a.jsonl")])
    assert "make it with `slm index --config" in capsys.readouterr().err
    cli_main(["index", *open_book])
    cli_main(["predict", *open_book, "--merged", str(tiny_qwen2), "--input", str(questions),
              "--output", str(tmp_path / "a.jsonl")])
    out = read_jsonl(tmp_path / "a.jsonl")
    assert out[0]["sources"][0]["text"] == "第一条 住宿费每人每晚不超过380元。"
    assert out[0]["sources"][0]["doc"].endswith("rules.txt") and out[0]["sources"][0]["pages"] == [1, 1]
    assert out[1]["answer"] == "所给文档中没有关于这个问题的规定。" and out[1]["sources"] == []
    # the answer is what generation gives for the open-book prompt, every number grounded in it
    from slm_recipes.assembly.data import recipe_stages
    from slm_recipes.hub.tokenizers import load_tokenizer

    recipe = load_recipe(open_book)
    tokenizer = load_tokenizer(str(tiny_qwen2))
    model = AutoModelForCausalLM.from_pretrained(tiny_qwen2).to(best_device())
    expected = answer_questions(model, tokenizer, [[{"role": "system", "content": SYSTEM_PROMPT},
                                                    {"role": "user", "content": "住宿费每晚最多多少元？"}]],
                                recipe.generation, recipe_stages(recipe).open_book(tokenizer))
    assert out[0]["answer"] == expected[0].text
    cli_main(["predict", *open_book, "--no-retrieval", "--merged", str(tiny_qwen2), "--input", str(questions),
              "--output", str(tmp_path / "closed.jsonl")])
    closed = read_jsonl(tmp_path / "closed.jsonl")
    assert "sources" not in closed[0] and closed[1]["answer"] != out[1]["answer"]


def test_a_huge_question_is_refused_naming_its_line(tmp_path):
    from slm_recipes.chat.predict import MAX_QUESTION_CHARS, read_questions
    from slm_recipes.core.errors import RecipeError

    path = write_jsonl(tmp_path / "q.jsonl", [{"question": "短问题？"}, {"question": "长" * (MAX_QUESTION_CHARS + 1)}])
    with pytest.raises(RecipeError, match=rf"q.jsonl:2: the question is {MAX_QUESTION_CHARS + 1} characters long"):
        read_questions(path)
