"""The rubric: parts add up to 100 and each part reacts to what it measures."""

from __future__ import annotations

from slm_recipes.curate.scoring import RUBRIC, score, score_parts
from slm_recipes.text.numbers import extract_quantities
from slm_recipes.text.shingles import shingles

CHUNK = "第八条 出差补助每人每天100元，住宿费每晚不超过500元。"


def parts(question: str, answer: str) -> dict[str, int]:
    return score_parts(question, answer, extract_quantities(answer), extract_quantities(CHUNK), shingles(CHUNK))


def test_rubric_weights():
    assert RUBRIC == {"numeric_accuracy": 30, "completeness": 25, "clarity": 20, "agreement": 15, "format": 10}


def test_a_good_pair_gets_full_marks():
    assert parts("出差补助每天多少钱？", "出差补助每人每天100元。") == RUBRIC


def test_each_part_reacts():
    assert parts("出差补助每天多少钱？", "出差补助每人每天120元。")["numeric_accuracy"] == 0
    assert parts("出差补助每天多少钱？", "出差补助每人每天100元，每晚120元。")["numeric_accuracy"] == 15
    assert parts("出差补助每天多少钱？", "按规定发放补助即可。")["completeness"] == 10
    assert parts("它", "出差补助每人每天100元。")["clarity"] == 0
    assert parts("出差补助每天多少钱？", "公司将根据实际情况另行通知员工。")["agreement"] < 5
    assert parts("出差补助每天多少钱？", "**答：** 每人每天100元。")["format"] < 10


def test_score_is_the_sum_and_needs_a_chunk():
    assert score("补助多少？", "每人每天100元。", extract_quantities("每人每天100元。"), None, None) < 60
