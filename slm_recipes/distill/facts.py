"""Numeric facts of a chunk: every clause that states a number with its unit or a date, with its subject and context."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from slm_recipes.distill.quantities import Span, find_quantities
from slm_recipes.headings import ARTICLE_START, CHAPTER_TITLE

SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
CLAUSE_BREAK = re.compile(r"([，；：,;:])")
LEADING_CONJUNCTION = re.compile(r"^(?:并且|同时|并|但|且|而|其|另外)")
GENERIC_TOPICS = {"总则", "附则", "附录"}
# the words a subject ends in: a fee, allowance or document (strong) before an activity (weak)
STRONG_ENDS = ("费用", "费", "补助", "补贴", "借款", "备用金", "发票", "票据", "礼品", "奖励", "罚款", "证书", "报销单")
WEAK_ENDS = ("会议", "培训", "航班", "列车", "车票", "机票", "里程", "招待", "出差", "报销", "申请")
NOT_IN_SUBJECT = set("的在和或与及对按将由为是从以每其该各但并且应须要可得经于向至时前后完成最多给予放发付扣减、")
SUBJECT_MAX_PREFIX = 5
LEADING_COUNTERS = re.compile(r"^(?:全?年(?!度)|月|天|日|次|张|项)")
TERMINALS = ("。", "！", "？", "!", "?")
CONDITION_ENDS = ("的", "起", "前", "时")
NOUN_AFTER = re.compile(r"[^须应由可不]{0,4}的[^须应由可不]{1,6}")  # 12月份发生的费用，…; 超过6小时的国际航班，…


@dataclass(frozen=True)
class Fact:
    """One quantity in one clause: what the questions are built from."""

    quantity: Span  # the number with its unit, span relative to `clause`
    clause: str  # the clause (between commas) that states it
    lead: str  # clause text before the number, with a short list heading (甲类地区：) in front
    tail: str  # clause text after the number
    subject: str  # what the fact is about (住宿费), from the clause, the sentence or the article; "" if only the chapter says
    topic: str  # the chapter heading (住宿费), or the subject
    condition: str  # the condition clause this fact's clause depends on (…出差的，), else ""
    measure: str  # what a list heading ending in 为 names (每人每天的补助标准为：甲类地区160元 → 每人每天的补助标准)
    consequence: str  # for a condition clause (…超过130元的，须…): the clause it governs, else ""
    answer: str  # one sentence stating the fact with its subject, number and unit
    sentence: str  # the source sentence, which no question may contain


def find_subject(text: str, ends: tuple[str, ...]) -> str:
    """The first noun phrase ending in one of `ends` (市内交通费, 单次出租车费用), or ""."""
    best: tuple[int, int, int] | None = None  # (end word position, phrase start, phrase end)
    for end in ends:
        at = text.find(end)
        if at < 0 or (best is not None and at >= best[0]):
            continue
        start = at
        while start > 0 and at - start < SUBJECT_MAX_PREFIX and _subject_char(text[start - 1]):
            start -= 1
        if text[max(0, start - 3):start] == "目的地" or text[max(0, start - 2):start] == "目的":
            start = text.rfind("目的", 0, start)
        best = (at, start, at + len(end))
    if best is None:
        return ""
    _, start, stop = best
    more = next((e for e in STRONG_ENDS + WEAK_ENDS if text.startswith(e, stop)), "")
    return LEADING_COUNTERS.sub("", text[start:stop + len(more)])


def _subject_char(char: str) -> bool:
    return char not in NOT_IN_SUBJECT and ("\u4e00" <= char <= "\u9fff" or char.isascii() and char.isalpha())


def _is_specific(subject: str) -> bool:
    return bool(subject) and subject not in STRONG_ENDS + WEAK_ENDS


def logical_lines(text: str) -> list[str]:
    """Lines re-joined where extraction broke a sentence (不超\n过600元); headings and articles start new lines."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if lines and not (CHAPTER_TITLE.match(line) or ARTICLE_START.match(line) or CHAPTER_TITLE.match(lines[-1])
                          or lines[-1].endswith(TERMINALS)):
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def chunk_facts(text: str, starts_mid_text: bool = False) -> Iterator[Fact]:
    """Walk the chunk's lines: chapter headings give the topic; each article's first fee-like subject is the
    fallback subject of its clauses. A sentence cut by the chunk's edges is skipped: at the end one without its
    full stop, at the start (when the chunk does not start the document or an article) the first one."""
    sentences: list[tuple[str, str, str]] = []  # (sentence, topic, article subject)
    topic, article_subject = "", None
    lines = logical_lines(text)
    for n, line in enumerate(lines):
        heading = CHAPTER_TITLE.match(line)
        if heading:
            topic = "" if heading.group(1).strip() in GENERIC_TOPICS else heading.group(1).strip()
            continue
        article = ARTICLE_START.match(line)
        if article:
            line, article_subject = line[article.end():], None
        found = SENTENCE.findall(re.sub(r"[（(]|[）)]", "", line))
        if n == 0 and starts_mid_text and not article:
            found = found[1:]
        for sentence in found:
            body = sentence.strip().rstrip("。！？!?")
            if body:
                if article_subject is None:  # an article's first sentence names what it is about
                    article_subject = next(filter(_is_specific, [find_subject(body, STRONG_ENDS)]), "")
                sentences.append((sentence.strip(), topic, article_subject or ""))
    if sentences and not sentences[-1][0].endswith(TERMINALS):
        sentences.pop()
    for sentence, topic, article_subject in sentences:
        yield from _sentence_facts(sentence.rstrip("。！？!?"), topic, article_subject)


def _clauses(body: str) -> list[tuple[str, str]]:
    """(clause, the mark after it) pairs of one sentence, leading conjunctions (并, 但) dropped."""
    parts = CLAUSE_BREAK.split(body)
    return [(LEADING_CONJUNCTION.sub("", parts[i].strip()), parts[i + 1] if i + 1 < len(parts) else "")
            for i in range(0, len(parts), 2)]


def _subject(clauses: list[str], i: int, article_subject: str, topic: str) -> str:
    """Fee-like words in the clause, a named activity in it, fee-like words in the clauses before, the article's, the chapter."""
    own = [find_subject(clauses[i], STRONG_ENDS), find_subject(clauses[i], WEAK_ENDS)]
    before = [find_subject(clauses[j], ends) for ends in (STRONG_ENDS, WEAK_ENDS) for j in range(i - 1, -1, -1)]
    return next(filter(_is_specific, [*own, *before, article_subject]), "")


def _sentence_facts(body: str, topic: str, article_subject: str) -> Iterator[Fact]:
    clauses = _clauses(body)
    texts = [clause for clause, _ in clauses]
    heading = ""
    for i, (clause, mark) in enumerate(clauses):
        if mark in "：:" and (len(clause) <= 6 or clause.endswith("为")) and not find_quantities(clause):
            heading = clause
            continue
        quantities = find_quantities(clause)
        if not quantities:
            continue
        previous = texts[i - 1] if i else ""
        following = texts[i + 1] if i + 1 < len(texts) else ""
        is_condition = bool(following) and (clause.endswith(CONDITION_ENDS) or bool(NOUN_AFTER.fullmatch(clause[quantities[-1].end:])))
        condition = previous if previous.endswith("的") and not is_condition else ""
        stated = f"{clause}，{following}" if is_condition else f"{condition}，{clause}" if condition else clause
        stated = heading + stated if heading else stated
        subject = _subject(texts, i, article_subject, topic)
        named = subject or topic
        answer = stated if not named or named in stated else _with_subject(named, stated)
        list_heading = heading if not heading.endswith("为") else ""
        for quantity in quantities:
            yield Fact(
                quantity=quantity, clause=clause, lead=list_heading + clause[: quantity.start], tail=clause[quantity.end:],
                subject=subject, topic=topic or subject, condition=condition, measure=heading[:-1] if heading.endswith("为") else "",
                consequence=following if is_condition else "", answer=answer + "。", sentence=body,
            )


VERB_START = tuple("按为在自由凭须应可不实统以从于均经超至最当") + ("每人", "每天", "每次")


def _with_subject(subject: str, text: str) -> str:
    """住宿费 + 按标准的70%控制 → 住宿费按标准的70%控制; 住宿费 + 甲类地区A类人员1200元 → 住宿费：甲类地区…"""
    return f"{subject}{'' if text.startswith(VERB_START) else '：'}{text}"
