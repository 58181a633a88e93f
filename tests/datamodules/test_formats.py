"""Every accepted file shape becomes the same messages; bad lines are named by file and line."""

from __future__ import annotations

import json

import pytest
from builders import write_jsonl
from slm_recipes.datamodules.formats import load_examples

from slm_recipes.core.errors import RecipeError

USER_ASSISTANT = [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}]


@pytest.mark.parametrize("record", [
    {"question": "Q?", "answer": "A.", "chunk_id": "c1"},
    {"instruction": "Q?", "input": "", "output": "A."},
    {"conversations": [{"from": "human", "value": "Q?"}, {"from": "gpt", "value": "A."}]},
    {"messages": USER_ASSISTANT},
], ids=["qa", "alpaca", "sharegpt", "openai"])
@pytest.mark.parametrize("as_array", [False, True], ids=["jsonl", "json-array"])
def test_formats_normalise_to_messages(tmp_path, record, as_array):
    path = tmp_path / ("data.json" if as_array else "data.jsonl")
    if as_array:
        path.write_text(json.dumps([record, record], ensure_ascii=False), encoding="utf-8")
    else:
        write_jsonl(path, [record, record])
    examples = load_examples(path)
    assert [e.messages for e in examples] == [USER_ASSISTANT, USER_ASSISTANT]


def test_alpaca_input_history_and_system(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"system": "S", "instruction": "Q2", "input": "ctx", "output": "A2",
                                              "history": [["Q1", "A1"]]}])
    assert load_examples(path)[0].messages == [
        {"role": "system", "content": "S"}, {"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"},
        {"role": "user", "content": "Q2\nctx"}, {"role": "assistant", "content": "A2"}]


def test_group_is_chunk_id_then_id(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"question": "Q", "answer": "A", "chunk_id": "c7", "id": "x"},
                                              {"question": "Q", "answer": "A", "id": "x2"}])
    assert [e.group for e in load_examples(path)] == ["c7", "x2"]


def test_invalid_json_line_is_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "Q", "answer": "A"}\n{"question": "Q",\n', encoding="utf-8")
    with pytest.raises(RecipeError, match=r"bad\.jsonl:2: not valid JSON"):
        load_examples(path)


def test_missing_answer_is_named(tmp_path):
    path = write_jsonl(tmp_path / "qa.jsonl", [{"question": "Q", "answer": "A"}, {"question": "Q2"}])
    with pytest.raises(RecipeError, match=r"qa\.jsonl:2: missing or empty 'answer'"):
        load_examples(path)


def test_unknown_shape_and_missing_file(tmp_path):
    with pytest.raises(RecipeError, match=r":1: unknown record shape"):
        load_examples(write_jsonl(tmp_path / "x.jsonl", [{"text": "hello"}]))
    with pytest.raises(RecipeError, match="does not exist"):
        load_examples(tmp_path / "missing.jsonl")


@pytest.mark.parametrize(("record", "message"), [
    ({"conversations": [{"from": "human", "value": "Q?"}, {"from": "function_call", "value": "{}"},
                        {"from": "observation", "value": "{}"}, {"from": "gpt", "value": "A."}]},
     r"x\.jsonl:1: turn 2 is a tool call or result \('from': 'function_call'\)"),
    ({"conversations": [{"from": "human", "value": "Q?"}, {"from": "bot", "value": "A."}]},
     r"x\.jsonl:1: turn 2 \('from': 'bot'\): sharegpt turns need"),
    ({"messages": [{"role": "user", "content": "Q?"}, {"role": "tool", "content": "{}"}]},
     r"x\.jsonl:1: message 2 is a tool call or result \(role 'tool'\)"),
    ({"messages": USER_ASSISTANT, "label": False}, r"x\.jsonl:1: 'label: false' marks a bad answer \(KTO data\)"),
    ({"conversations": [{"from": "human", "value": "Q?"}], "chosen": {"from": "gpt", "value": "A."},
      "rejected": {"from": "gpt", "value": "B."}}, r"x\.jsonl:1: a preference pair \(chosen/rejected, DPO data\)"),
    ({"messages": [{"role": "user", "content": "<image>What is shown?"}, {"role": "assistant", "content": "A cat."}],
      "images": ["cat.jpg"]}, r"x\.jsonl:1: a multimodal record \('images'\)"),
    ({"instruction": "<image>描述图片", "output": "<image>一只猫。"}, r"x\.jsonl:1: a multimodal record \(<image> placeholder\)"),
])
def test_records_that_would_train_the_wrong_thing_are_refused_in_one_line(tmp_path, record, message):
    with pytest.raises(RecipeError, match=message):
        load_examples(write_jsonl(tmp_path / "x.jsonl", [record]))


def test_kto_records_labelled_true_train(tmp_path):
    examples = load_examples(write_jsonl(tmp_path / "x.jsonl", [{"messages": USER_ASSISTANT, "label": True}]))
    assert [e.messages for e in examples] == [USER_ASSISTANT]


def test_unfilled_template_placeholders_are_warned_about(tmp_path, caplog):
    path = write_jsonl(tmp_path / "x.jsonl", [{"question": "Q?", "answer": "A."},
                                              {"instruction": "你好，我是{{name}}", "output": "我是{{name}}，由{{author}}开发。"}])
    with caplog.at_level("WARNING"):
        examples = load_examples(path)
    assert len(examples) == 2
    assert "x.jsonl: 1 record(s) hold an unfilled template placeholder, first {{name}} at" in caplog.text
    assert "x.jsonl:2" in caplog.text


def test_a_dataset_index_is_named_as_not_records(tmp_path):
    path = tmp_path / "dataset_info.json"
    path.write_text(json.dumps({"identity": {"file_name": "identity.json"}, "alpaca_zh_demo": {"file_name": "a.json"}},
                               indent=2), encoding="utf-8")
    with pytest.raises(RecipeError, match=r"dataset_info\.json: unknown record shape \(keys: identity, alpaca_zh_demo\)"):
        load_examples(path)
