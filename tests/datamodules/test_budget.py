from slm_recipes.datamodules.budget import answer_clauses, focused, narrowed, window

from slm_recipes.retrieval.passages import Passage

TEXT = "第八条 出差应当事先审批。出差补助每人每天100元。住宿费每晚不超过500元。报销应在15个工作日内提交。"


def _passage(text: str = TEXT) -> Passage:
    return Passage(id="c", chunk_id="c", doc="d", pages=(1, 1), text=text)


def test_the_window_grows_around_the_gold_sentence_and_keeps_the_article_label() -> None:
    cut = window(_passage(), "住宿费每晚不超过500元。", lambda p: len(p.text) <= 40)
    assert cut is not None and "住宿费每晚不超过500元。" in cut.text and cut.text.startswith("第八条")
    assert len(cut.text) <= 40 and cut.text != TEXT
    assert window(_passage(), "住宿费每晚不超过500元。", lambda p: True).text == TEXT
    assert window(_passage(), "住宿费每晚不超过500元。", lambda p: len(p.text) < 10) is None  # the gold sentence is never cut


def test_a_focused_answer_keeps_its_subject_and_the_clauses_with_its_numbers() -> None:
    assert focused("出差补助每人每天100元，由财务部统一发放，不得挪作他用。") == "出差补助每人每天100元。"
    assert focused("员工出差，须经部门负责人审批，补助每人每天100元。") == "员工出差，补助每人每天100元。"
    assert focused("员工应当妥善保管票据。") == "员工应当妥善保管票据。"


def test_a_narrowed_answer_is_the_one_clause_that_answers() -> None:
    rule = "用人单位不依照本办法支付工资报酬的，由劳动行政部门责令限期改正；逾期不改正的，处以罚款。"
    assert narrowed(rule, "用人单位不依照本办法支付工资报酬的，由谁改正？") == "由劳动行政部门责令限期改正。"
    assert narrowed("员工出差，须经部门负责人审批，补助每人每天100元。", "补助每天多少元？") == "补助每人每天100元。"
    assert narrowed("前款规定的折算方法为：已过日历天数÷365天。", "折算方法是什么？") == "已过日历天数÷365天。"
    assert narrowed("员工应当妥善保管票据。", "票据怎么办？") == "员工应当妥善保管票据。"


def test_a_gold_passage_is_cut_to_the_clauses_its_narrowed_answer_states() -> None:
    cut = answer_clauses(_passage("第三条 前款规定的折算方法为：已过日历天数÷365天。"), "已过日历天数÷365天。", lambda p: True)
    assert cut is not None and cut.text == "第三条 已过日历天数÷365天。"
