"""Numeric facts of a chunk: every clause that states a number with its unit or a date, with its subject and context.

Every piece taken from the source (a subject, a clause's part before or after the number, a condition) starts
and ends on a word boundary of its sentence (`slm_recipes.text.segmenter`), so no question or answer holds half a
word; an answer is the source's own words, with the chapter title in front when its subject is named only there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from slm_recipes.distill.quantities import Span, find_quantities
from slm_recipes.text.headings import ARTICLE_START, CHAPTER_TITLE
from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.segmenter import FUNCTION_TAGS, snap_end, snap_start, tagged, words

SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
CLAUSE_BREAK = re.compile(r"([，；：,;]|:(?!\d\d))")  # a colon before two digits is a time (8:00), no break
RANGE_JOINS = ("至", "到", "～", "~", "-", "—")
SUBJECT_MAX_PREFIX = 5
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
    answer: str  # the source's own words stating the fact (the chapter title in front when only it names the subject)
    sentence: str  # the source sentence, which no question may contain
    heading: str = ""  # a list heading of the sentence the clause sits under (甲类地区：…), else ""
    subject_from: str = ""  # the clause or sentence the subject was found in
    lower: Span | None = None  # for a range (3至6年, 8:00至22:00), its lower end; `quantity` is the upper


def find_subject(text: str, ends: tuple[str, ...], lexicon: Lexicon) -> str:
    """The first noun phrase ending in one of `ends` (市内交通费, 单次出租车费用), or ""."""
    best: tuple[int, int, int] | None = None  # (end word position, phrase start, phrase end)
    for end in ends:
        at = text.find(end)
        if at < 0 or (best is not None and at >= best[0]):
            continue
        start = at
        while start > 0 and at - start < SUBJECT_MAX_PREFIX and _subject_char(text[start - 1], lexicon):
            start -= 1
        if text[max(0, start - 3):start] == "目的地" or text[max(0, start - 2):start] == "目的":
            start = text.rfind("目的", 0, start)
        best = (at, start, at + len(end))
    if best is None:
        return ""
    _, start, stop = best
    more = next((e for e in lexicon.subject_ends if text.startswith(e, stop)), "")
    start, stop = snap_start(text, start), snap_end(text, stop + len(more))
    found = words(text[start:stop]) if start < stop else ()
    while found and found[0] in lexicon.leading_counters:  # 全年出差… → 出差…
        found = found[1:]
    return "".join(found)


def _subject_char(char: str, lexicon: Lexicon) -> bool:
    return char not in lexicon.not_in_subject and ("\u4e00" <= char <= "\u9fff" or char.isascii() and char.isalpha())


def _is_specific(subject: str, lexicon: Lexicon) -> bool:
    return bool(subject) and subject not in lexicon.subject_ends


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


def chunk_facts(text: str, lexicon: Lexicon, starts_mid_text: bool = False) -> Iterator[Fact]:
    """Walk the chunk's lines: chapter headings give the topic; each article's first fee-like subject is the
    fallback subject of its clauses. A sentence cut by the chunk's edges is skipped: at the end one without its
    full stop or clause end (；), at the start (when the chunk does not start the document or an article) the first one."""
    sentences: list[tuple[str, str, tuple[str, str]]] = []  # (sentence, topic, (article subject, where it is))
    topic, article_subject = "", None
    lines = logical_lines(text)
    for n, line in enumerate(lines):
        heading = CHAPTER_TITLE.match(line)
        if heading:
            topic = "" if heading.group(1).strip() in lexicon.generic_topics else heading.group(1).strip()
            continue
        article = ARTICLE_START.match(line)
        if article:
            line, article_subject = line[article.end():], None
        found = SENTENCE.findall(line)
        if n == 0 and starts_mid_text and not article:
            found = found[1:]
        for sentence in found:
            body = sentence.strip().rstrip("。！？!?")
            if body:
                if article_subject is None:  # an article's first sentence names what it is about
                    found = find_subject(body, lexicon.strong_ends, lexicon)
                    article_subject = (found, body) if _is_specific(found, lexicon) else ("", "")
                sentences.append((sentence.strip(), topic, article_subject))
    if sentences and not sentences[-1][0].endswith((*TERMINALS, "；", ";")):  # the chunker breaks at clause ends too
        sentences.pop()
    for sentence, topic, article_subject in sentences:
        yield from _sentence_facts(sentence.rstrip("。！？!?"), topic, article_subject, lexicon)


@dataclass(frozen=True)
class Clause:
    text: str  # leading conjunctions (并, 但) dropped, as whole words
    mark: str  # the mark after it (，；：)
    start: int  # where it begins in its sentence, conjunction included
    end: int


def _clauses(body: str, lexicon: Lexicon) -> list[Clause]:
    """The clauses of one sentence with their places in it."""
    parts = CLAUSE_BREAK.split(body)
    out, at = [], 0
    for i in range(0, len(parts), 2):
        raw, mark = parts[i], parts[i + 1] if i + 1 < len(parts) else ""
        text = raw.strip()
        leading = words(text)[:1]
        if leading and leading[0] in lexicon.leading_conjunctions and len(text) > len(leading[0]):
            text = text[len(leading[0]):]
        out.append(Clause(text, mark, at, at + len(raw)))
        at += len(raw) + len(mark)
    return out


def leading_phrase(text: str, lexicon: Lexicon) -> str:
    """The words a clause opens with before its first function word or modal (一般投诉|须在…, 在线客服|须…):
    what a rule is about when no fee-like word names it. Whole words, 2 to 8 characters, else ""."""
    found: list[tuple[str, str]] = []
    for word, flag in tagged(text):
        if flag.startswith(FUNCTION_TAGS) or word in lexicon.modal_words:
            break
        found.append((word, flag))
    while found and not found[-1][1].startswith(("n", "v", "eng")):
        found.pop()
    phrase = "".join(word for word, _ in found)
    return phrase if 2 <= len(phrase) <= 8 and phrase != text else ""


def _subject(clauses: list[str], i: int, article_subject: tuple[str, str], lexicon: Lexicon) -> tuple[str, str]:
    """(subject, the text it was found in): fee-like words in the clause, a named activity in it, fee-like words
    in the clauses before, the phrase the sentence opens with, else the article's."""
    strong, weak = lexicon.strong_ends, lexicon.weak_ends
    own = [(find_subject(clauses[i], strong, lexicon), clauses[i]), (find_subject(clauses[i], weak, lexicon), clauses[i])]
    before = [(find_subject(clauses[j], ends, lexicon), clauses[j]) for ends in (strong, weak) for j in range(i - 1, -1, -1)]
    opening = (leading_phrase(clauses[0], lexicon), clauses[0])
    return next((found for found in (*own, *before, opening, article_subject) if _is_specific(found[0], lexicon)),
                ("", ""))


def _sentence_facts(body: str, topic: str, article_subject: tuple[str, str], lexicon: Lexicon) -> Iterator[Fact]:
    clauses = _clauses(body, lexicon)
    texts = [c.text for c in clauses]
    heading: Clause | None = None
    for i, clause in enumerate(clauses):
        if clause.mark in "：:" and (len(clause.text) <= 6 or clause.text.endswith("为")) and not find_quantities(clause.text):
            heading = clause
            continue
        quantities = find_quantities(clause.text)
        if not quantities:
            continue
        previous = texts[i - 1] if i else ""
        following = texts[i + 1] if i + 1 < len(texts) else ""
        tail_after = clause.text[quantities[-1].end:]
        is_condition = bool(following) and (clause.text.endswith(CONDITION_ENDS) or bool(NOUN_AFTER.fullmatch(tail_after)))
        condition = previous if previous.endswith("的") and not is_condition else ""
        start = clauses[i - 1].start if condition else clause.start
        end = clauses[i + 1].end if is_condition else clause.end
        if heading is not None:
            start = min(start, heading.start)
        subject, subject_from = _subject(texts, i, article_subject, lexicon)
        named = subject or topic
        if named and named not in body[start:end]:  # widen to the clause that names the subject, if this sentence does
            at = body.rfind(named, 0, start)
            if at >= 0:
                start = next(c.start for c in reversed(clauses) if c.start <= at)
        start, end = _bracketed(body, start, end)
        stated = body[start:end].strip()
        titled = f"{topic}：{stated}" if topic and named and named not in stated and topic not in stated else stated
        list_heading = heading.text if heading is not None and not heading.text.endswith("为") else ""
        for quantity, lower in _asked(clause.text, quantities):
            yield Fact(
                quantity=quantity, lower=lower, clause=clause.text, lead=clause.text[: (lower or quantity).start],
                tail=clause.text[quantity.end:],
                subject=subject, topic=topic or subject, condition=condition,
                measure=_without_last_word(heading.text, "为") if heading is not None and heading.text.endswith("为") else "",
                consequence=following if is_condition else "", answer=titled + "。", sentence=body, heading=list_heading,
                subject_from=subject_from,
            )


def _asked(text: str, quantities: list[Span]) -> list[tuple[Span, Span | None]]:
    """(quantity, lower end): each quantity asked on its own, but the two ends of a range (3至6年) asked as one."""
    asked: list[tuple[Span, Span | None]] = []
    k = 0
    while k < len(quantities):
        q = quantities[k]
        after = quantities[k + 1] if k + 1 < len(quantities) else None
        if after is not None and text[q.end:after.start] in RANGE_JOINS:
            asked.append((after, q))
            k += 2
        else:
            asked.append((q, None))
            k += 1
    return asked


def _bracketed(body: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to close a bracket it opens or to open one it closes, so an answer is never cut inside one."""
    for opening, closing in (("（", "）"), ("(", ")")):
        piece = body[start:end]
        if piece.count(opening) > piece.count(closing):
            at = body.find(closing, end)
            end = at + 1 if at >= 0 else end
        elif piece.count(closing) > piece.count(opening):
            at = body.rfind(opening, 0, start)
            start = at if at >= 0 else start
    return start, end


def _without_last_word(text: str, word: str) -> str:
    """`text` less its last word when that is `word` (每人每天的补助标准为 → 每人每天的补助标准)."""
    found = words(text)
    return "".join(found[:-1]) if found and found[-1] == word else text

