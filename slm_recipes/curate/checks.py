"""The per-record checks; each returns a verdict `{"pass": bool, "detail": str}` kept in the record's `checks`."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from slm_recipes.curate.focus import focus_problem
from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.numbers import Quantity, quantity_in
from slm_recipes.text.question_form import question_problems
from slm_recipes.text.shingles import jaccard, normalise, shingles

Verdict = dict[str, Any]

ASKS_QUANTITY = re.compile(
    r"多少|几(?!乎)|哪天|哪一天|哪年|哪个月|什么时候|何时|多久|多长时间|多长|比例是|什么比例|百分之几|百分比"
    r"|how (?:many|much|long|often)|what (?:percentage|share|date|time)|\bwhen\b",
    re.IGNORECASE,
)
REFUSAL = re.compile(
    r"文档中?(?:没有|未|并未|没)(?:提到|提及|说明|涉及|给出)|(?:没有|未|并未)(?:提到|提及)|无法(?:回答|确定|得知|判断)"
    r"|无法提供(?:相关|具体|准确|更多|该|此|这)?(?:信息|答案|资料|数据|内容)"
    r"|不清楚|不知道|抱歉|对不起|作为(?:一个)?(?:AI|人工智能|语言模型)|根据(?:现有|提供的)(?:信息|资料)无法"
    r"|as an ai|language model|i (?:cannot|can't|don't know)|not (?:mentioned|specified|stated|provided) in"
    r"|(?:does|do) not (?:mention|say|specify)",
    re.IGNORECASE,
)
TRUNCATED_ENDINGS = ("，", ",", "、", "：", ":", "；", ";", "（", "(", "“", "…", "...", "-", "—", "和", "及", "或")
PAIRS = (("（", "）"), ("(", ")"), ("“", "”"), ("《", "》"), ("【", "】"))


def verdict(passed: bool, detail: str = "") -> Verdict:
    return {"pass": passed, "detail": detail} if detail else {"pass": passed}


YES_NO = re.compile(r"吗\s*[？?]?\s*$|是否|能否|可否|能不能|可不可以|是不是|有没有|^(?:is|are|can|does|do|may|should)\b", re.IGNORECASE)


def asks_quantity(question: str) -> bool:
    """多少 / 几 / 哪天 / how many ...; a yes-no question (…吗？, 是否) does not ask for one."""
    return bool(ASKS_QUANTITY.search(question)) and not YES_NO.search(question.strip())


def numeric_grounding(answer_quantities: list[Quantity], chunk_quantities: list[Quantity] | None,
                      question_quantities: Sequence[Quantity] = (), other_subject: Sequence[str] = ()) -> Verdict:
    """Every number of the answer and of the question (with its unit) is stated by the source chunk, after
    normalisation, and no answer number is one the source states for another subject."""
    if chunk_quantities is None:
        return verdict(False, "source chunk not in chunks.jsonl")
    problems = []
    missing = [q.text for q in answer_quantities if not quantity_in(q, chunk_quantities)]
    if missing:
        problems.append("not in the chunk: " + ", ".join(missing))
    asked = [q.text for q in question_quantities if not quantity_in(q, chunk_quantities)]
    if asked:
        problems.append("the question's " + ", ".join(asked) + " is not in the chunk")
    if other_subject:
        problems.append("the chunk states " + ", ".join(other_subject) + " for another subject")
    return verdict(not problems, "; ".join(problems))


def numeric_completeness(question: str, answer_quantities: list[Quantity]) -> Verdict:
    """A question that asks for a quantity needs an answer that states one."""
    if asks_quantity(question) and not answer_quantities:
        return verdict(False, "the question asks for a quantity; the answer states none")
    return verdict(True)


def refusal_filler(question: str, answer: str) -> Verdict:
    """No refusals, no empty, truncated or question-echoing answers."""
    text = answer.strip()
    if not normalise(text):
        return verdict(False, "empty answer")
    found = REFUSAL.search(text)
    if found:
        return verdict(False, f"refusal: {found.group(0)}")
    if text.endswith(TRUNCATED_ENDINGS) or any(text.count(a) > text.count(b) for a, b in PAIRS):
        return verdict(False, "truncated answer")
    if normalise(text) == normalise(question) or jaccard(shingles(text), shingles(question)) >= 0.8:
        return verdict(False, "the answer repeats the question")
    return verdict(True)


def question_form(question: str, lexicon: Lexicon) -> Verdict:
    """A well-formed question: one question ending right after words, no clause list, no stem cut before its verb."""
    problems = question_problems(question, lexicon)
    return verdict(not problems, "; ".join(problems))


def focus(question: str, answer: str, lexicon: Lexicon, answer_quantities: list[Quantity]) -> Verdict:
    """The answer states the fact its question asks and no other numbers its question does not name."""
    problem = focus_problem(question, answer, lexicon, answer_quantities)
    return verdict(not problem, problem)


def inconsistent(records: list[dict[str, Any]], numbers: list[list[Quantity]]) -> dict[int, str]:
    """Indexes of records whose question equals another's while the numbers of their answers differ,
    each with the id of one record it disagrees with."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        groups[normalise(record["question"])].append(i)
    flagged: dict[int, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        facts = {i: frozenset((q.value, q.unit) for q in numbers[i]) for i in members}
        if len(set(facts.values())) < 2 or not any(facts.values()):
            continue
        for i in members:
            other = next(j for j in members if facts[j] != facts[i])
            flagged[i] = records[other]["id"]
    return flagged
