"""Reply parsing: valid JSON, the unambiguous repairs, and the cases that must fail."""

from __future__ import annotations

import pytest

from slm_recipes.distill.json_reply import ParsedPairs, ReplyParseError, parse_pairs

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
    assert parse_pairs(text) == ParsedPairs(ONE)


def test_commas_inside_strings_are_kept() -> None:
    text = '{"pairs": [{"question": "a \\", ] b?", "answer": "x, }",},]}'
    assert parse_pairs(text).pairs == [{"question": 'a ", ] b?', "answer": "x, }"}]


def test_number_answer_becomes_text() -> None:
    assert parse_pairs('{"pairs": [{"question": "多少？", "answer": 3000}]}').pairs == [{"question": "多少？", "answer": "3000"}]


def test_the_good_pairs_of_a_reply_are_kept_and_the_bad_ones_counted() -> None:
    text = '{"pairs": [{"question": "Q1?", "answer": "A1"}, {"question": "Q2?"}, "junk", {"question": "Q3?", "answer": "A3"}]}'
    assert parse_pairs(text) == ParsedPairs([{"question": "Q1?", "answer": "A1"}, {"question": "Q3?", "answer": "A3"}], 2)


@pytest.mark.parametrize("text", ["[" * 5000, "{\"pairs\": " + "[" * 5000 + "]" * 5000 + "}", "x " + "[" * 5000 + "{"])
def test_brackets_nested_thousands_deep_are_a_parse_error_not_a_crash(text: str) -> None:
    with pytest.raises(ReplyParseError):
        parse_pairs(text)


@pytest.mark.parametrize(("text", "error"), [
    ("", "empty"),
    ("question: Q? answer: A", "not valid JSON"),
    ('{"pairs": [{"question": "Q?", "answer": "A"}', "not valid JSON"),
    ('[{"question": "Q?", "answer": "A"}, {"question": "Q2?"', "not valid JSON"),
    ('first {"pairs": []} and {"pairs": [{"question": "Q", "answer": "A"}]} then {"a": 1}', "separate JSON values"),
    ('```json\n{"pairs": []}\n```\n```json\n{"pairs": []}\n```', "2 code blocks"),
    ('{"items": []}', '"pairs"'),
    ('{"pairs": [{"question": "Q?"}]}', 'no usable pair: pairs\\[0\\] has no "answer"'),
    ('{"pairs": [{"question": "", "answer": "A"}]}', 'pairs\\[0\\] has no "question"'),
    ('{"pairs": ["Q?", "R?"]}', "pairs\\[0\\] is not an object \\(and 1 more\\)"),
    ('{"pairs": []}', "the reply holds no pairs"),
])
def test_ambiguous_or_wrong_shape_is_an_error(text: str, error: str) -> None:
    with pytest.raises(ReplyParseError, match=error):
        parse_pairs(text)


def test_prose_brackets_are_not_json() -> None:
    assert parse_pairs('Based on [1] and {x}: {"pairs": [{"question": "Q?", "answer": "A."}]}').pairs == [
        {"question": "Q?", "answer": "A."}]
