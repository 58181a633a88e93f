import re
from itertools import pairwise

import pytest

from slm_recipes.ingest.chunking import chunk_spans
from slm_recipes.ingest.structure import UNBREAKABLE

LAW = (
    "第一章 总则\n"
    "第一条 为了规范公司管理，制定本规定。本规定适用于全体员工。\n"
    "第二条 公司注册资本为1,200,000元，员工人数为350人。年度预算为3.5亿元。\n"
    "第三条 依照第十六条的规定执行，违者罚款12,500.75元；情节严重的，解除合同。\n"
    "第二章 附则\n"
    "第四条 The company was founded in 1998. It has 120 staff and a budget of 4,500,000 dollars.\n"
)


def _cut_points(spans: list[tuple[int, int]]) -> set[int]:
    return {p for span in spans for p in span}


@pytest.mark.parametrize("budget", [4, 8, 16, 30, 60, 200])
@pytest.mark.parametrize("overlap", [0, 3])
def test_no_cut_inside_a_number_or_clause(budget: int, overlap: int) -> None:
    if overlap >= budget:
        pytest.skip("overlap must be below the budget")
    spans = chunk_spans(LAW, len, budget, overlap)
    cuts = _cut_points(spans)
    for match in UNBREAKABLE.finditer(LAW):
        assert not cuts & set(range(match.start() + 1, match.end())), match.group()
    covered = set().union(*(range(a, b) for a, b in spans))
    assert all(LAW[i].isspace() for i in set(range(len(LAW))) - covered)


@pytest.mark.parametrize("budget", [20, 40, 80])
def test_chunks_fit_the_budget_when_sentences_do(budget: int) -> None:
    for start, end in chunk_spans(LAW, len, budget, 5):
        assert len(LAW[start:end]) <= budget


def test_sentences_are_whole_when_they_fit() -> None:
    for start, end in chunk_spans(LAW, len, 60, 0):
        text = LAW[start:end]
        assert re.search(r"[。；.]$|总则$|附则$", text), text


def test_chunks_start_at_headings_when_one_is_near() -> None:
    starts = [LAW[a:b] for a, b in chunk_spans(LAW, len, 80, 0)]
    assert any(text.startswith("第二章 附则") for text in starts)
    assert all(not text.startswith("总则") for text in starts)


def test_overlap_repeats_whole_sentences() -> None:
    spans = chunk_spans(LAW, len, 60, 20)
    overlapping = [(a, b) for a, b in pairwise(spans) if b[0] < a[1]]
    assert overlapping
    for (_, prev_end), (next_start, _) in overlapping:
        assert LAW[next_start:prev_end].endswith(("。", "；", "."))


def test_no_overlap_into_a_new_section() -> None:
    spans = chunk_spans(LAW, len, 60, 20)
    section = LAW.index("第二章")
    for a, b in pairwise(spans):
        if b[0] <= section < b[1]:
            assert b[0] >= a[1] or LAW[b[0]:a[1]].startswith("第二章")


def test_counts_each_sentence_once_when_it_fits() -> None:
    calls: list[str] = []

    def counter(text: str) -> int:
        calls.append(text)
        return len(text)

    chunk_spans(LAW, counter, 200, 10)
    assert len(calls) == len(set(calls)) <= 20


def test_budget_must_be_positive() -> None:
    with pytest.raises(ValueError):
        chunk_spans(LAW, len, 0, 0)



@pytest.mark.parametrize("budget", [30, 200])
def test_each_piece_of_text_is_counted_once(budget: int) -> None:
    """The counter is a real tokenizer in production: overlap and chunk sizes reuse the sentence counts."""
    counted: list[str] = []

    def count(text: str) -> int:
        counted.append(text)
        return len(text)

    chunk_spans(LAW, count, budget, 8)
    assert len(counted) == len(set(counted))
    if budget >= max(len(line) for line in LAW.splitlines()):  # no sentence is split: each character counted once
        assert sum(map(len, counted)) == len(LAW)
