"""Number normalisation: the same fact written differently is the same quantity; a different unit is not."""

from __future__ import annotations

import pytest

from slm_recipes.text.numbers import Quantity, extract_quantities, quantity_in


def facts(text: str) -> list[tuple[str, str]]:
    return [(q.value, q.unit) for q in extract_quantities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3万元", ("30000", "元")),
        ("30000元", ("30000", "元")),
        ("30,000元", ("30000", "元")),
        ("三万元", ("30000", "元")),
        ("1.5万", ("15000", "")),
        ("1.5万元", ("15000", "元")),
        ("一千二百元", ("1200", "元")),
        ("两千五百元", ("2500", "元")),
        ("三万五千元", ("35000", "元")),
        ("１２０元", ("120", "元")),
        ("50%", ("50", "%")),
        ("５０％", ("50", "%")),
        ("百分之五十", ("50", "%")),
        ("五成", ("50", "%")),
        ("八折", ("80", "%")),
        ("15个工作日", ("15", "工作日")),
        ("15工作日", ("15", "工作日")),
        ("15天", ("15", "天")),
        ("十五天", ("15", "天")),
        ("2025年3月1日", ("2025-03-01", "date")),
        ("2025-03-01", ("2025-03-01", "date")),
        ("2025/3/1", ("2025-03-01", "date")),
        ("二〇二五年三月一日", ("2025-03-01", "date")),
        ("2025年3月", ("2025-03", "date")),
        ("3月1日", ("03-01", "date")),
        ("3个月", ("3", "个月")),
        ("0.5小时", ("0.5", "小时")),
        ("半天", ("0.5", "天")),
        ("100 km", ("100", "公里")),
        ("9:30", ("09:30", "time")),
    ],
)
def test_one_quantity_normalised(text, expected):
    assert facts(text) == [expected]


@pytest.mark.parametrize("group", [["3万元", "30000元", "30,000元", "三万元"], ["50%", "百分之五十", "五成"],
                                   ["2025年3月1日", "2025-03-01"], ["1.5万", "15000"], ["一千二百元", "1200元"]])
def test_equal_forms_are_the_same_quantity(group):
    assert len({tuple(facts(text)) for text in group}) == 1


def test_working_days_are_not_days():
    assert not quantity_in(extract_quantities("15天")[0], extract_quantities("15个工作日内报销"))
    assert quantity_in(extract_quantities("15个工作日")[0], extract_quantities("应在15工作日内报销"))


def test_threshold_words_are_not_part_of_the_quantity():
    found = extract_quantities("住宿费不超过500元，500元以上须审批，1000元以下")
    assert [q.text for q in found] == ["500元", "500元", "1000元"]
    assert found[0].span == (6, 10)


def test_spans_index_the_original_text():
    text = "标准为１２０元每天"
    (q,) = extract_quantities(text)
    assert text[q.span[0]:q.span[1]] == q.text == "１２０元"


@pytest.mark.parametrize("text", ["第十六条", "第3章", "第3.2节", "第二款", "第五名", "1. 总则", "2、报销范围", "（三）住宿", "(1) 机票", "3.2 报销标准",
                                  "一般情况下统一处理", "同一年度", "一个部门一次性结清", "这一点", "星科发〔2025〕", "A4纸", "ISO9001", "见附件1"])
def test_not_quantities(text):
    assert facts(text) == []


def test_article_numbers_skipped_but_amounts_kept():
    assert facts("根据第十六条，住宿标准为500元") == [("500", "元")]


def test_ranges_share_the_unit():
    assert facts("3-5天") == [("3", "天"), ("5", "天")]
    assert facts("3至5万元") == [("30000", "元"), ("50000", "元")]


def test_quantity_in_matches_value_and_unit():
    source = extract_quantities("报销上限为3万元，须在2025年3月1日前提交。")
    assert quantity_in(Quantity("30000", "元", "30000元", (0, 6)), source)
    assert not quantity_in(Quantity("30000", "天", "30000天", (0, 6)), source)
    assert not quantity_in(Quantity("20000", "元", "2万元", (0, 3)), source)
    assert quantity_in(Quantity("30000", "", "3万", (0, 2)), source)  # a bare number matches on value
    assert quantity_in(Quantity("03-01", "date", "3月1日", (0, 4)), source)  # month-day inside the full date


def test_ordinal_days_are_quantities():
    assert facts("自驻外第61天起") == [("61", "天")]


def test_a_lone_zero_opens_a_word_and_states_no_quantity() -> None:
    assert extract_quantities("免收人工费和零件费，零星采购") == []
    assert [q.value for q in extract_quantities("一百零五元，二〇二四年")] == ["105", "2024"]
