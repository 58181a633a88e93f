"""The one record reader: JSONL or a JSON array, each bad record named by file:line or file[item]."""

from __future__ import annotations

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.jsonl import read_records


def test_jsonl_and_json_array_give_the_same_records_with_their_locations(tmp_path):
    lines = tmp_path / "qa.jsonl"
    lines.write_text('{"id": "a"}\n\n{"id": "b"}\n', encoding="utf-8")
    array = tmp_path / "qa.json"
    array.write_text('[{"id": "a"},\n {"id": "b"}]', encoding="utf-8")
    assert read_records(lines) == [(f"{lines}:1", {"id": "a"}), (f"{lines}:3", {"id": "b"})]
    assert read_records(array) == [(f"{array}[0]", {"id": "a"}), (f"{array}[1]", {"id": "b"})]


@pytest.mark.parametrize("text, message", [
    ('{"id": "a"}\n{"id": \n', r"qa\.jsonl:2: not valid JSON"),
    ('{"id": "a"}\n[1, 2]\n', r"qa\.jsonl:2: expected a JSON object, got list"),
    ('{"id": 3}\n', r"qa\.jsonl:1: missing or non-text field\(s\) id"),
])
def test_a_bad_record_is_named(tmp_path, text, message):
    path = tmp_path / "qa.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecipeError, match=message):
        read_records(path, required=("id",))


def test_one_object_spread_over_lines_is_one_record(tmp_path):
    path = tmp_path / "record.json"
    path.write_text('{\n  "id": "a",\n  "text": "x"\n}\n', encoding="utf-8")
    assert read_records(path, required=("id",)) == [(str(path), {"id": "a", "text": "x"})]


def test_missing_and_undecodable_files_say_what_to_do(tmp_path):
    with pytest.raises(RecipeError, match=r"chunks\.jsonl does not exist; run `slm ingest`"):
        read_records(tmp_path / "chunks.jsonl", missing_hint="run `slm ingest`")
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes('{"q": "住宿费"}\n'.encode("gbk"))
    with pytest.raises(RecipeError, match=r"gbk\.jsonl: not UTF-8 text"):
        read_records(gbk)
