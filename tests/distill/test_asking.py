import pytest

from slm_recipes.distill.asking import FORMS, everyday, question_word, questions
from slm_recipes.distill.provisions import chunk_facts
from slm_recipes.distill.quantities import find_quantities
from slm_recipes.text.lexicon import load_lexicon
from slm_recipes.text.question_form import question_problems

LEXICON = load_lexicon()


def _asked(text: str) -> dict[str, list[str]]:
    return {f.answer: questions(f, LEXICON) for f in chunk_facts(text, LEXICON)}


@pytest.mark.parametrize(("text", "word"), [("3个工作日", "几个工作日"), ("20个工作日", "多少个工作日"), ("1.5万元", "多少万元"),
                                            ("80%", "百分之多少"), ("2025年3月1日", "哪一天"), ("7月1日", "几月几日"),
                                            ("1/3", "几分之几"), ("百分之五十", "百分之多少")])
def test_question_word_follows_the_unit(text: str, word: str) -> None:
    (quantity,) = find_quantities(text)
    assert question_word(quantity, "", LEXICON) == word


def test_a_number_is_asked_several_ways_in_everyday_words_without_its_value() -> None:
    (asked,) = _asked("第三条 职工累计工作已满20年的，年休假15天。").values()
    assert 3 <= len(asked) <= FORMS and len(set(asked)) == len(asked)
    assert "职工累计工作已满20年的，年休假多少天？" in asked and any("员工" in q for q in asked)  # 职工 → 员工
    assert any("多长时间" in q for q in asked) and not any("15天" in q for q in asked)
    assert all(question_problems(q, LEXICON) == [] for q in asked)


def test_a_rule_is_asked_by_the_lexicon_s_forms() -> None:
    asked = _asked("第三条 国家法定休假日、休息日不计入年休假的假期。\n第四条 女职工在孕期不能适应原劳动的，用人单位应当减轻劳动量。")
    assert asked["国家法定休假日、休息日不计入年休假的假期。"] == ["国家法定休假日、休息日算不算年休假的假期？"]
    condition = asked["女职工在孕期不能适应原劳动的，用人单位应当减轻劳动量。"]
    assert "如果女职工在孕期不能适应原劳动，会怎么样？" in condition


def test_everyday_words_replace_the_document_s_own() -> None:
    assert everyday("用人单位应当支付职工工资", LEXICON) == "单位要付员工工资"
