"""Each check against hand-made answers and chunks, including the normalisation cases and planted errors."""

from __future__ import annotations

import pytest

from slm_recipes.curate import checks
from slm_recipes.text.numbers import extract_quantities

from .conftest import CHUNKS


def grounded(answer: str, chunk: str) -> bool:
    return checks.numeric_grounding(extract_quantities(answer), extract_quantities(chunk))["pass"]


@pytest.mark.parametrize("answer", ["预算为30000元。", "预算为30,000元。", "预算为三万元。", "预算为3万元。",
                                    "补贴比例为50%。", "补贴比例为百分之五十。", "补贴比例为五成。", "自2025-03-01起执行。"])
def test_grounding_accepts_normalised_forms(answer):
    assert grounded(answer, CHUNKS["c2"])


@pytest.mark.parametrize(("answer", "chunk"), [("应在20个工作日内提交。", "c1"),  # a changed number
                                               ("应在15天内提交。", "c1"),  # a changed unit
                                               ("每人每天65元。", "c3"),  # a number from another chunk
                                               ("自2025-03-02起执行。", "c2")])
def test_grounding_rejects_numbers_not_in_the_chunk(answer, chunk):
    verdict = checks.numeric_grounding(extract_quantities(answer), extract_quantities(CHUNKS[chunk]))
    assert not verdict["pass"] and "not in the chunk" in verdict["detail"]


def test_grounding_fails_without_the_source_chunk():
    assert not checks.numeric_grounding([], None)["pass"]


@pytest.mark.parametrize("question", ["出差超过几天需要审批？", "补助是多少？", "哪天开始执行？", "什么时候开始执行？",
                                      "补贴比例是多少？", "How many days are allowed?", "How much is the allowance?"])
def test_completeness_needs_a_number_when_the_question_asks_for_one(question):
    assert not checks.numeric_completeness(question, extract_quantities("需要按规定审批。"))["pass"]
    assert checks.numeric_completeness(question, extract_quantities("超过5天的需要审批。"))["pass"]


@pytest.mark.parametrize("question", ["遗失票据怎么办？", "能把一笔费用拆成几笔报销吗？", "住宿费超过限额的部分由谁承担？"])
def test_completeness_leaves_other_questions_alone(question):
    assert checks.numeric_completeness(question, [])["pass"]


@pytest.mark.parametrize(("answer", "detail"), [("文档中没有提到这一点。", "refusal"), ("无法回答该问题。", "refusal"),
                                                ("As an AI, I cannot say.", "refusal"), ("", "empty"), ("  。", "empty"),
                                                ("出差补助的标准为每人每天，", "truncated"), ("补助（按标准发放", "truncated"),
                                                ("出差补助每天多少钱", "repeats")])
def test_refusal_and_filler(answer, detail):
    verdict = checks.refusal_filler("出差补助每天多少钱？", answer)
    assert not verdict["pass"] and detail in verdict["detail"]


def test_a_plain_answer_passes_refusal_and_filler():
    assert checks.refusal_filler("出差补助每天多少钱？", "每人每天100元。")["pass"]


def test_same_question_with_other_numbers_flags_both():
    records = [{"id": "a", "question": "出差每天能报多少？"}, {"id": "b", "question": "出差每天能报多少?"},
               {"id": "c", "question": "出差每天能报多少？"}, {"id": "d", "question": "别的问题？"}]
    numbers = [extract_quantities(t) for t in ("每天100元", "每晚500元", "100元", "500元")]
    flagged = checks.inconsistent(records, numbers)
    assert set(flagged) == {0, 1, 2} and flagged[1] == "a" and flagged[0] == "b"


def test_same_question_with_the_same_numbers_is_consistent():
    records = [{"id": "a", "question": "补助多少？"}, {"id": "b", "question": "补助多少？"}]
    assert checks.inconsistent(records, [extract_quantities("100元"), extract_quantities("一百元")]) == {}


def test_a_year_is_stated_by_a_full_date_in_it():
    assert grounded("自2025年起施行。", "本办法自2025年3月1日起施行。")
    assert grounded("自2025年3月起施行。", "本办法自2025年3月1日起施行。")
    assert not grounded("自2026年起施行。", "本办法自2025年3月1日起施行。")


def test_a_number_in_the_question_must_be_in_the_chunk_too():
    verdict = checks.numeric_grounding(extract_quantities("须经分管副总经理审批。"), extract_quantities(CHUNKS["c3"]),
                                       extract_quantities("出差超过7天由谁审批？"))
    assert not verdict["pass"] and "the question's 7天 is not in the chunk" in verdict["detail"]
    assert checks.numeric_grounding([], extract_quantities(CHUNKS["c3"]), extract_quantities("出差超过5天由谁审批？"))["pass"]
