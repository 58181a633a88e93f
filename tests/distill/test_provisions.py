from slm_recipes.distill.provisions import chunk_facts, logical_lines
from slm_recipes.text.lexicon import load_lexicon

LEXICON = load_lexicon()


def _facts(text: str, starts_mid_text: bool = False) -> list[tuple[bool, str, str]]:
    return [(f.numeric, f.article, f.answer) for f in chunk_facts(text, LEXICON, starts_mid_text)]


def test_layout_breaks_are_joined_and_articles_items_and_dates_start_lines() -> None:
    text = "第十八条 同性别的员工结伴出差的，原则上2人合住1间标准间，单次费用不超\n过600元。\n(一)第一项；\n2025年3月1日起施行"
    assert logical_lines(text) == ["第十八条 同性别的员工结伴出差的，原则上2人合住1间标准间，单次费用不超过600元。", "(一)第一项；",
                                   "2025年3月1日起施行"]


def test_each_number_of_a_sentence_is_its_own_fact_and_a_rule_without_one_is_a_rule() -> None:
    facts = _facts("第三章 住宿费\n第八条 出差补助每人每天100元，住宿费每晚不超过500元。\n第九条 员工应妥善保管原始票据。")
    assert facts == [(True, "第八条", "出差补助每人每天100元。"), (True, "第八条", "住宿费每晚不超过500元。"),
                     (False, "第九条", "住宿费：员工应妥善保管原始票据。")]  # the chapter names what it is about


def test_a_carried_subject_opens_each_graded_provision() -> None:
    facts = _facts("第三条 职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天。")
    answers = {answer for _, _, answer in facts}
    assert answers == {"职工累计工作已满1年不满10年的，年休假5天。", "职工累计工作已满10年不满20年的，年休假10天。"}


def test_a_list_item_carries_its_lead_in_and_a_condition_list_its_consequence() -> None:
    plain = _facts("第四条 女职工禁忌从事的劳动范围：\n(一)矿山井下作业；\n(二)每次负重超过20公斤的作业。")
    assert [a for _, _, a in plain] == ["女职工禁忌从事的劳动范围：矿山井下作业。", "女职工禁忌从事的劳动范围：每次负重超过20公斤的作业。"]
    conditions = _facts("第五条 职工有下列情形之一的，不享受当年的年休假：\n(一)请事假累计20天以上的；")
    assert [a for _, _, a in conditions] == ["职工请事假累计20天以上的，不享受当年的年休假。"]


def test_sentences_cut_by_the_chunk_edges_are_no_facts() -> None:
    assert _facts("360元，D类人员300元。\n第十八条 单次费用不超过600元。依照第十六条，每人每天补助80元，超过", starts_mid_text=True) \
        == [(True, "第十八条", "单次费用不超过600元。")]
    assert _facts("第十九条 本办法自发布之日起施行") == [(False, "第十九条", "本办法自发布之日起施行。")]


def test_a_preamble_title_is_no_fact_and_a_remark_in_brackets_loses_them() -> None:
    assert _facts("星河公司报销细则\n（2025年2月18日经公司总经理办公会审议通过，由财务部发布）\n第一章 总则\n") \
        == [(True, "", "2025年2月18日经公司总经理办公会审议通过，由财务部发布。")]
