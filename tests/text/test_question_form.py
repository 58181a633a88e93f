import pytest

from slm_recipes.text.lexicon import load_lexicon
from slm_recipes.text.question_form import question_problems

LEXICON = load_lexicon()


@pytest.mark.parametrize("question", ["年休假有几天？", "职工请事假累计多少天以上，不享受当年的年休假？",
                                      "如果员工累计工作已满20年，年休假多少天？", "女职工生育享受多少天产假？"])
def test_a_well_formed_question_has_no_problem(question: str) -> None:
    assert question_problems(question, LEXICON) == []


@pytest.mark.parametrize(("question", "problem"), [
    ("住宿费每晚不超过，？", "punctuation before the question mark"),
    ("年休假有几天", "no question mark at the end"),
    ("年休假有几天？产假呢？", "two questions in one"),
    ("已满1年的，年休假5天；已满10年的，年休假几天？", "a clause list in the question"),
    ("(一)职工请事假累计多少天？", "opens with a list marker or punctuation"),
    ("（哪一天经办公会审议通过？", "opens with a list marker or punctuation"),
    ("用人单位应当自用工之日起多少日内？", "stops after asking how long, before saying what is done"),
])
def test_each_malformation_is_named(question: str, problem: str) -> None:
    assert any(p.startswith(problem) for p in question_problems(question, LEXICON)), question_problems(question, LEXICON)
