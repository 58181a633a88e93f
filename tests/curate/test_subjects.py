"""A number of the source given to another subject: tables by region and class, rules side by side."""

from __future__ import annotations

import pytest

from slm_recipes.curate.subjects import misattributed, source_places

TABLE = ("第五条 住宿费标准如下（每人每天）：\n地区 | 一般人员 | 部门经理\nA类地区 | 500元 | 800元\nB类地区 | 400元 | 600元\n"
         "第六条 出差到北京，住宿费每天600元；出差到上海，住宿费每天500元。")


@pytest.mark.parametrize("answer, wrong", [
    ("B类地区一般人员的住宿费标准为500元。", ["500元"]),  # region A's amount given to region B
    ("A类地区部门经理的住宿费每天600元。", ["600元"]),  # B's manager amount given to A
    ("出差到上海，住宿费每天600元。", ["600元"]),  # Beijing's amount given to Shanghai
    ("B类地区一般人员的住宿费标准为400元。", []),
    ("A类地区部门经理住宿费每天800元。", []),
    ("出差到上海，住宿费每天500元。", []),
    ("住宿费标准是500元。", []),  # no subject named: nothing to tell apart
    ("A类地区一般人员500元，B类地区一般人员400元。", []),  # both right, in one sentence
])
def test_misattributed_numbers_are_found_and_correct_ones_pass(answer, wrong):
    assert misattributed(answer, source_places(TABLE)) == wrong


def test_an_answer_whose_extra_words_belong_to_a_neighbouring_rule_passes():
    assert misattributed("国内出差期间住宿费每天600元，补助另计。", source_places("国内出差住宿费每天600元。出差补助每天100元。")) == []
