from slm_recipes.curate.focus import focus_problem, unasked_facts
from slm_recipes.text.lexicon import load_lexicon

LEXICON = load_lexicon()
SENTENCE = "出差补助每人每天100元，住宿费每晚不超过500元，报销应在出差结束后15个工作日内提交。"


def test_an_answer_stating_only_the_asked_number_is_focused() -> None:
    assert focus_problem("出差补助每人每天多少钱？", "出差补助每人每天100元。", LEXICON) == ""


def test_numbers_the_question_names_and_a_number_said_twice_are_not_counted() -> None:
    assert unasked_facts("累计工作已满10年的，年休假几天？", "累计工作已满10年的，年休假10天。", LEXICON) == ["10天"]
    assert unasked_facts("补贴比例是多少？", "补贴比例为50%，也就是百分之五十。", LEXICON) == ["50%"]


def test_a_range_is_one_fact() -> None:
    assert unasked_facts("多少钱的发票要审批？", "金额在1000元以上5000元以下的发票须经审批。", LEXICON) == ["1000元以上5000元"]


def test_a_copied_sentence_is_unfocused_and_says_which_numbers() -> None:
    problem = focus_problem("出差补助每人每天多少钱？", SENTENCE, LEXICON)
    assert problem == "states 3 facts the question does not name: 100元, 500元, 15个工作日"
