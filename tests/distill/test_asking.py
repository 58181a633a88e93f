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
    assert asked["国家法定休假日、休息日不计入年休假的假期。"] == ["国家法定休假日、休息日算不算年休假的假期？",
                                                           "年休假的假期包括国家法定休假日、休息日吗？"]
    condition = asked["女职工在孕期不能适应原劳动的，用人单位应当减轻劳动量。"]
    assert "如果女职工在孕期不能适应原劳动，会怎么样？" in condition


def test_everyday_words_replace_the_document_s_own() -> None:
    assert everyday("用人单位应当支付职工工资", LEXICON) == "单位要付员工工资"
    assert everyday("员工必须在出差期间须经批准", LEXICON) == "员工必须在出差的时候要经过批准"  # 须 of 必须 stays


def test_a_row_of_a_graded_list_is_asked_by_its_row_within_its_heading() -> None:
    asked = _asked("第五条 住宿费标准如下：\n甲类地区：A类人员1200元，B类人员850元。")
    assert "A类人员在甲类地区是多少元？" in asked["甲类地区：A类人员1200元。"]
    assert "甲类地区B类人员是多少元？" in asked["甲类地区：B类人员850元。"]


def test_a_number_is_asked_without_the_clauses_after_it_and_by_the_sentence_s_subject() -> None:
    asked = _asked("第六条 出差期间在出差地发生的市内交通费实行包干制度，按出差自然天数每人每天补助80元，不再另行报销票据。")
    (forms,) = asked.values()
    assert "市内交通费按出差自然天数每人每天补助多少元？" in forms  # the subject found by its lexicon ending (费)
    assert "市内交通费按出差自然天数一个人一天补助多少元？" in forms  # 每人每天 in a person's words
    assert all("不再另行报销" not in q for q in forms)


def test_a_rule_about_a_person_is_asked_in_the_first_person_and_its_party_asked_for() -> None:
    asked = _asked("第七条 职工可以依法投诉。\n第八条 用人单位应当将禁忌从事的岗位书面告知女职工。")
    assert "我可以依法投诉？" in asked["职工可以依法投诉。"] or "我能不能依法投诉？" in asked["职工可以依法投诉。"]
    assert "谁要将禁忌从事的岗位书面告知女职工？" in asked["用人单位应当将禁忌从事的岗位书面告知女职工。"]


def test_a_lone_zero_is_no_number() -> None:
    assert _asked("第九条 保修期内的维修免收人工费和零件费。") == {"保修期内的维修免收人工费和零件费。": []}
