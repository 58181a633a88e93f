"""Every accepted file shape becomes the same messages; bad lines are named by file and line."""

from __future__ import annotations

import json

import pytest
from builders import write_jsonl
from slm_recipes.datamodules.formats import load_examples

from slm_recipes.errors import RecipeError

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
