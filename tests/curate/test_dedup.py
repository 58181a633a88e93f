"""Near-duplicate questions: the same answers as comparing every pair, without comparing every pair."""

from __future__ import annotations

import itertools
import random

from slm_recipes.curate.dedup import near_duplicates
from slm_recipes.text.shingles import jaccard, shingles


def test_near_duplicates_map_to_the_first_kept():
    questions = ["员工出差期间的出差补助每人每天是多少钱？", "住宿费每晚的报销标准是多少？", "员工出差期间的出差补助每人每天是多少钱呢？",
                 "员工出差期间的出差补助每人每天是多少钱？"]
    assert near_duplicates(questions, [0, 1, 2, 3], 0.85) == {2: 0, 3: 0}
    assert near_duplicates(questions, [2, 0, 1, 3], 0.85) == {0: 2, 3: 2}  # the order says which is best


def test_same_result_as_all_pairs():
    rng = random.Random(0)
    words = ["出差", "补助", "住宿", "标准", "每天", "报销", "审批", "多少", "几天", "比例", "发票", "期限"]
    questions = ["".join(rng.choice(words) for _ in range(rng.randint(2, 5))) + "？" for _ in range(300)]
    order = list(range(len(questions)))
    got = near_duplicates(questions, order, 0.7)
    kept: list[int] = []
    expected = {}
    for i in order:
        match = next((j for j in kept if jaccard(shingles(questions[i]), shingles(questions[j])) >= 0.7), None)
        if match is None:
            kept.append(i)
        else:
            expected[i] = match
    assert expected and set(got) == set(expected)
    assert all(jaccard(shingles(questions[i]), shingles(questions[j])) >= 0.7 for i, j in got.items())
    assert not any(jaccard(shingles(questions[a]), shingles(questions[b])) >= 0.7
                   for a, b in itertools.combinations([i for i in order if i not in got], 2))


def test_questions_with_other_numbers_are_not_duplicates():
    questions = ["北京第12分部总经理的住宿费标准是多少？", "北京第13分部总经理的住宿费标准是多少？", "出差超过三天需要谁审批？", "出差超过五天需要谁审批？"]
    assert near_duplicates(questions, [0, 1, 2, 3], 0.8) == {}
