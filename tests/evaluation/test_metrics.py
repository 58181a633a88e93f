"""The QA metrics on hand-made answers: numbers strictly (value and unit), keywords, format, consistency."""

from __future__ import annotations

import math

import pytest

from slm_recipes.evaluation.keywords import reference_keywords
from slm_recipes.evaluation.metrics import (
    AnswerFormat,
    HallucinatedNumbers,
    KeywordCoverage,
    NumberConsistency,
    NumericExactMatch,
    QAMetrics,
    StrictAccuracy,
    format_problems,
)
from slm_recipes.text.lexicon import load_lexicon

REF = "超过3万元但不超过10万元的报销由总经理审批。"


def value(metric) -> float:
    return float(metric.compute())


@pytest.mark.parametrize("answer, right", [
    ("3万元以上、10万元以内由总经理审批。", True),
    ("30000元到100000元之间的报销由总经理审批。", True),  # 3万 = 30000
    ("超过三万元但不超过十万元的，总经理审批。", True),
    ("超过3万天但不超过10万天的报销由总经理审批。", False),  # right number, wrong unit
    ("超过3万元的报销由总经理审批。", False),  # one number missing
    ("超过5万元但不超过10万元的报销由总经理审批。", False),  # wrong value
])
def test_numeric_exact_match_needs_every_number_with_its_unit(answer, right):
    metric = NumericExactMatch()
    metric.update([answer], [REF])
    assert value(metric) == float(right)


def test_numeric_exact_match_counts_only_numeric_questions():
    metric = NumericExactMatch()
    metric.update(["由总经理审批。", "30000元"], ["由总经理审批。", "3万元"])
    assert value(metric) == 1.0 and int(metric.total) == 1
    empty = NumericExactMatch()
    empty.update(["x"], ["没有数字"])
    assert math.isnan(value(empty))


def test_percent_words_and_article_numbers():
    metric = NumericExactMatch()
    metric.update(["报销比例为百分之五十。", "依据第十六条，按80%执行。"], ["按50%报销。", "按80%执行。"])
    assert value(metric) == 1.0
    assert math.isnan(value(_updated(NumericExactMatch(), ["见第十六条。"], ["依据第十六条处理。"])))


def _updated(metric, *args):
    metric.update(*args)
    return metric


def test_strict_accuracy_uses_keywords_for_questions_without_numbers():
    question = "出差超过15天由谁审批？"
    reference = "预计出差超过15天的，由总经理审批。"
    general_q, general_ref = "报销款会以现金支付吗？", "不会，报销款只支付到报销人本人名下的银行账户。"
    metric = StrictAccuracy(load_lexicon())
    metric.update(["超过15天的由总经理审批。", "只打到本人的银行账户。"], [reference, general_ref], [question, general_q])
    assert value(metric) == 0.5  # the general answer misses keywords (不会, 报销人本, ...)
    full = StrictAccuracy(load_lexicon())
    full.update([general_ref], [general_ref], [general_q])
    assert value(full) == 1.0


def test_keyword_coverage_is_the_share_present():
    reference, question = "长期驻外的伙食补助按每人每天65元发放。", "长期驻外期间，每日饭补发多少钱？"
    keywords = reference_keywords(reference, question, load_lexicon())
    assert "伙食补助" in keywords and not any(ch.isdigit() for k in keywords for ch in k)
    metric = KeywordCoverage(load_lexicon())
    metric.update(["伙食补助是65元。"], [reference], [question])
    assert 0 < value(metric) < 1
    missing = KeywordCoverage(load_lexicon())
    missing.update(["每天65元。"], [reference], [question])
    assert value(missing) < value(metric)


def test_hallucinated_numbers_are_in_neither_reference_nor_source():
    source = "第九条 住宿费每晚不超过500元；一线城市不超过650元。"
    metric = HallucinatedNumbers()
    metric.update(
        ["住宿费每晚不超过500元。", "一线城市650元，其他城市500元。", "住宿费每晚不超过500元，另补贴120元。"],
        ["住宿费每晚不超过500元。"] * 3, [source] * 3, ["住宿费上限是多少？"] * 3,
    )
    assert value(metric) == pytest.approx(1 / 3)
    assert metric.higher_is_better is False


@pytest.mark.parametrize("answer, ended, problem", [
    ("伙食补助每天800000000000000元", True, "loop"),
    ("报销报销报销报销报销", True, "loop"),
    ("伙食补助每天65元，伙食补助每天65元，伙食补助每天65元，", True, "loop"),
    ("伙食补助每天65元", False, "run-on"),
    ("长期驻外期间，每日饭补发多少钱？", True, "echo"),
    ("", True, "empty"),
])
def test_format_problems(answer, ended, problem):
    assert problem in format_problems(answer, "长期驻外期间，每日饭补发多少钱？", ended)


def test_well_formed_answers_pass_format():
    metric = AnswerFormat()
    answers = ["长期驻外的伙食补助按每人每天65元发放。", "超过1亿元，即100000000元，由董事会审批。", "总计1,000,000,000元。"]
    metric.update(answers, ["长期驻外期间，每日饭补发多少钱？"] * 3, [True] * 3)
    assert value(metric) == 1.0


def test_consistency_compares_the_numbers_of_sampled_answers():
    metric = NumberConsistency()
    metric.update([["每天65元。", "按每人每天65元发放。", "六十五元每天"],  # 六十五元 = 65元
                   ["65元", "60元"], ["only one sample"]])
    assert value(metric) == 0.5


def test_qa_metrics_reports_overall_and_by_question_type():
    metrics = QAMetrics(load_lexicon())
    metrics.update(questions=["出差超过15天由谁审批？", "报销款会以现金支付吗？"],
                   references=["超过15天的由总经理审批。", "不会，只支付到银行账户。"],
                   answers=["超过15天的由总经理审批。", "会。"], ended=[True, True], sources=["", ""],
                   samples=[["15天", "15天"], []])
    values = metrics.compute()
    assert values["qa/strict_accuracy"] == 0.5
    assert values["qa_numeric/strict_accuracy"] == 1.0 and values["qa_general/strict_accuracy"] == 0.0
    assert values["qa_numeric/number_consistency"] == 1.0
    assert "qa_general/numeric_exact_match" not in values  # nothing to count: left out, not NaN


def test_numeric_strict_refuses_an_answer_that_dumps_its_passage():
    from slm_recipes.evaluation.metrics import NumericStrict, numerically_strict

    reference = "甲类地区住宿费每晚不超过800元。"
    assert numerically_strict("每晚不超过800元。", reference)
    assert numerically_strict("A类人员在甲类地区每晚800元。", reference, question="A类人员去甲类地区住几晚？")
    dump = "甲类地区每晚不超过800元，乙类地区500元，丙类地区300元。"
    assert not numerically_strict(dump, reference) and not numerically_strict("每晚500元。", reference)
    metric = NumericStrict()
    metric.update([dump, "800元", "会"], [reference, reference, "不会。"])
    assert float(metric.compute()) == 0.5  # the non-numeric question is not counted
    exact = NumericExactMatch()
    exact.update([dump, "800元"], [reference, reference])
    assert float(exact.compute()) == 1.0  # the old figure counts the dump as right
