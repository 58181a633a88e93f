"""Reply parsing: valid JSON, the unambiguous repairs, and the cases that must fail."""

from __future__ import annotations

import pytest

from slm_recipes.distill.json_reply import ReplyParseError, parse_pairs

ONE = [{"question": "报销上限是多少？", "answer": "3000元。"}]


@pytest.mark.parametrize("text", [
    '{"pairs": [{"question": "报销上限是多少？", "answer": "3000元。"}]}',
    '```json\n{"pairs": [{"question": "报销上限是多少？", "answer": "3000元。"}]}\n```',
    '```\n{"pairs": [{"question": "报销上限是多少？", "answer": "3000元。"}]}\n```',
    '{"pairs": [{"question": "报销上限是多少？", "answer": "3000元。",},],}',
    'Sure! Here are the pairs:\n{"pairs": [{"question": "报销上限是多少？", "answer": "3000元。"}]}\nHope this helps.',
    'Here:\n```json\n{"pairs": [{"question": "报销上限是多少？", "answer": "3000元。"},\n]}\n```\nDone.',
    '[{"question": "报销上限是多少？", "answer": "3000元。"}]',
    '{"question": "报销上限是多少？", "answer": "3000元。"}',
    '\ufeff  {"pairs": [{"question": " 报销上限是多少？ ", "answer": "3000元。"}]}  ',
])
def test_valid_and_unambiguously_repairable(text: str) -> None:
    assert parse_pairs(text) == ONE


def test_commas_inside_strings_are_kept() -> None:
    text = '{"pairs": [{"question": "a \\", ] b?", "answer": "x, }",},]}'
    assert parse_pairs(text) == [{"question": 'a ", ] b?', "answer": "x, }"}]


def test_number_answer_becomes_text_and_empty_list_is_valid() -> None:
    assert parse_pairs('{"pairs": [{"question": "多少？", "answer": 3000}]}') == [{"question": "多少？", "answer": "3000"}]
    assert parse_pairs('{"pairs": []}') == []


@pytest.mark.parametrize(("text", "error"), [
    ("", "empty"),
    ("question: Q? answer: A", "not valid JSON"),
    ('{"pairs": [{"question": "Q?", "answer": "A"}', "not valid JSON"),
    ('[{"question": "Q?", "answer": "A"}, {"question": "Q2?"', "not valid JSON"),
    ('first {"pairs": []} and {"pairs": [{"question": "Q", "answer": "A"}]} then {"a": 1}', "separate JSON values"),
    ('```json\n{"pairs": []}\n```\n```json\n{"pairs": []}\n```', "2 code blocks"),
    ('{"items": []}', '"pairs"'),
    ('{"pairs": [{"question": "Q?"}]}', 'pairs\\[0\\] has no "answer"'),
    ('{"pairs": [{"question": "", "answer": "A"}]}', 'pairs\\[0\\] has no "question"'),
    ('{"pairs": ["Q?"]}', "pairs\\[0\\] is not an object"),
])
def test_ambiguous_or_wrong_shape_is_an_error(text: str, error: str) -> None:
    with pytest.raises(ReplyParseError, match=error):
        parse_pairs(text)


def test_prose_brackets_are_not_json() -> None:
    assert parse_pairs('Based on [1] and {x}: {"pairs": [{"question": "Q?", "answer": "A."}]}') == [
        {"question": "Q?", "answer": "A."}]
