"""The facts of a chunk as the extractive teacher asks about them: every provision of a rules document, each
answered by a complete clause that states the fact and only the fact.

A document is read line by line: chapter headings give the topic, article numbers the article, and a line that
ends in `：` leads a list whose items follow it, each item one provision (an item under a condition list,
`职工有下列情形之一的，不享受当年的年休假：`, carries the lead-in's subject and consequence). A sentence is cut at
`；` into provisions; a provision that goes on the way the first one began (`已满10年不满20年的…` after
`职工累计工作已满1年不满10年的…`) carries the first one's subject. Within a provision:

- a numeric fact is one number, or one range (`1000元以上5000元以下`, `满1年不满10年`), with the clauses it needs:
  the conditions before it (`…的，`), the clause that states it, the clauses after it that state no number of
  their own, a short heading it sits under (`甲类地区：`) and, for a clause that goes on from the one before
  (`其中…`), that one. Other numbers of the sentence stay out.
- a provision that states no number is a rule fact: the whole provision, with its subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from slm_recipes.distill.quantities import Span, find_quantities
from slm_recipes.text.headings import ARTICLE_START, CHAPTER_TITLE
from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.segmenter import boundaries

SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
UNIT = re.compile(r"[^；;]+[；;]?")
LIST_ITEM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十百]+[)）]|[一二三四五六七八九十百]+、|\d+[.、．](?!\d))\s*")
DATED = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月")  # a line of its own: when a text was passed, published, amended
TERMINALS = ("。", "！", "？", "!", "?")
UNIT_ENDS = (*TERMINALS, "；", ";")
HEADING_CHARS = 8  # a clause ending in ：this short heads the clauses after it (甲类地区：A类人员1200元，…)
CARRIED = 10  # a provision's subject carried to the next is this short: 职工累计工作 (已满1年…；已满10年…)
WRAPPED = 24  # a line this long that ends inside a sentence was wrapped by the layout; a shorter one is a line of its own


@dataclass(frozen=True)
class Clause:
    text: str  # without its mark
    mark: str  # ， ： or ""
    quantities: tuple[Span, ...]  # spans relative to `text`
    condition: bool  # ends like a condition (…的, …时): it governs the clause after it
    heading: bool  # a short lead ending in ：


@dataclass(frozen=True)
class Fact:
    """One thing a document says, and everything a question about it is built from."""

    answer: str  # the complete clause(s) that state it, ending in 。
    clauses: tuple[Clause, ...]  # the answer's clauses after `prefix`
    prefix: str  # text the answer opens with that its clauses do not hold (a carried subject, a lead-in, a topic)
    asked: tuple[int, int] | None  # numeric facts: (clause index, quantity index) of the number asked
    lower: tuple[int, int] | None  # for a range, its lower end
    topic: str  # the chapter heading, "" without one
    article: str  # 第三条, or the article the list item belongs to
    provision: str  # the provision's own text, which no question may copy whole
    lead: str = ""  # for an item of a list that is no condition list: the list's lead-in, without its colon

    @property
    def numeric(self) -> bool:
        return self.asked is not None

    @property
    def quantity(self) -> Span | None:
        return self.clauses[self.asked[0]].quantities[self.asked[1]] if self.asked else None

    @property
    def lower_quantity(self) -> Span | None:
        return self.clauses[self.lower[0]].quantities[self.lower[1]] if self.lower else None


@dataclass
class _Lead:
    text: str  # the lead-in, `：` kept
    subject: str = ""  # condition lists: who the items are about
    consequence: str = ""  # condition lists: what follows from each item
    conditions: bool = False


def logical_lines(text: str) -> list[str]:
    """Lines re-joined where extraction broke a sentence (不超\\n过600元); headings, articles and list items start
    new lines, and so does whatever follows a line ending a sentence, a provision or a lead-in."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        starts = CHAPTER_TITLE.match(line) or ARTICLE_START.match(line) or LIST_ITEM.match(line) or DATED.match(line)
        wrapped = lines and len(lines[-1]) >= WRAPPED
        if wrapped and not (starts or CHAPTER_TITLE.match(lines[-1]) or lines[-1].endswith((*UNIT_ENDS, "：", ":"))):
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def chunk_facts(text: str, lexicon: Lexicon, starts_mid_text: bool = False) -> Iterator[Fact]:
    """Every fact of the chunk, in reading order. A sentence cut by the chunk's edges is skipped: at the end one
    without its end mark, at the start (when the chunk starts inside a sentence) the first one."""
    lines = logical_lines(text)
    if lines and not lines[-1].endswith((*UNIT_ENDS, "：", ":")) and not CHAPTER_TITLE.match(lines[-1]) \
            and not _unmarked_article(lines[-1]):
        lines = lines[:-1] + [_whole_sentences(lines[-1])]
    topic = article = ""
    lead: _Lead | None = None
    for n, line in enumerate(lines):
        if not line:
            continue
        heading = CHAPTER_TITLE.match(line)
        if heading:
            topic = "" if heading.group(1).strip() in lexicon.generic_topics else heading.group(1).strip()
            lead = None
            continue
        found = ARTICLE_START.match(line)
        if found:
            article, line, lead = found.group(0).strip(), line[found.end():], None
        elif n == 0 and starts_mid_text and not LIST_ITEM.match(line):
            line = line[len(SENTENCE.match(line).group(0)):] if SENTENCE.match(line) else ""
        item = LIST_ITEM.match(line)
        if item and lead is not None:
            body = line[item.end():]
            if body.endswith(("：", ":")):  # a numbered lead-in of its own (一、…的劳动范围：)
                lead = _lead(body, lexicon)
                continue
            yield from _item_facts(body, lead, topic, article, lexicon)
            continue
        if item:
            line = line[item.end():]
        if line[:1] in "（(" and line[-1:] in "）)" and not re.search(r"[（(）)]", line[1:-1]):
            line = line[1:-1].rstrip("。") + "。"  # a remark in brackets of its own: （2025年…通过，由财务部发布）
        if line.endswith(("：", ":")):
            lead = _lead(line, lexicon)
            continue
        lead = None
        if not article and not line.endswith(UNIT_ENDS) and not DATED.match(line) and len(line) < WRAPPED:
            continue  # a title or a line of a text's preamble, no provision
        for sentence in SENTENCE.findall(line):
            yield from _sentence_facts(sentence, "", topic, article, lexicon)


def _unmarked_article(line: str) -> bool:
    """A short article of one clause with no end mark (第十九条 本办法自发布之日起施行): a source's missing 。, not a
    chunk's cut, which falls at a line's end or inside a long one."""
    return bool(ARTICLE_START.match(line)) and len(line) < WRAPPED and not re.search(r"[，,；;：:、]", line)


def _whole_sentences(line: str) -> str:
    """The line up to its last end of a sentence or provision (what follows was cut by the chunk's edge)."""
    cut = max(line.rfind(mark) for mark in UNIT_ENDS)
    return line[:cut + 1] if cut >= 0 else ""


def _lead(text: str, lexicon: Lexicon) -> _Lead:
    """A list's lead-in; a condition list (…有下列情形之一的，X：) names its items' subject and consequence X."""
    for marker in lexicon.condition_lists:
        at = text.find(marker)
        if at < 0:
            continue
        subject = text[:at].removesuffix("有").removesuffix("具有")
        after = text[at + len(marker):].lstrip("的").lstrip("，,").rstrip("：:")
        return _Lead(text, subject, after, conditions=True)
    return _Lead(text)


def _item_facts(body: str, lead: _Lead, topic: str, article: str, lexicon: Lexicon) -> Iterator[Fact]:
    item = body.rstrip("；;。")
    if lead.conditions:
        subject = "" if not lead.subject or lead.subject in item else lead.subject
        text = f"{subject}{item}" + (f"，{lead.consequence}" if lead.consequence else "")
        yield from _sentence_facts(text + "。", "", topic, article, lexicon, whole=True)
        return
    yield from _sentence_facts(item + "。", lead.text, topic, article, lexicon, whole=True,
                               lead=lead.text.rstrip("：:"))


def _sentence_facts(sentence: str, prefix: str, topic: str, article: str, lexicon: Lexicon,
                    whole: bool = False, lead: str = "") -> Iterator[Fact]:
    """The facts of one sentence (`whole`: one provision, not cut at ；), each answer opening with `prefix`."""
    units = [u.rstrip("；;。！？!?").strip() for u in ([sentence] if whole else UNIT.findall(sentence))]
    units = [u for u in units if u]
    first = units[0] if units else ""
    for unit in units:
        carried = prefix + (_carried(first, unit, lexicon) if unit is not first else "")
        yield from _unit_facts(unit, carried, topic, article, lexicon, lead)


def _carried(first: str, unit: str, lexicon: Lexicon) -> str:
    """The first provision's opening words when `unit` goes on the way it began (已满10年… after 职工累计工作已满1年…),
    or its opening clause when both go on with a condition (X，对A的，…；对B的，… carries X)."""
    for size in (3, 2):
        at = first.find(unit[:size])
        if 1 < at <= CARRIED and at in boundaries(first) and len(unit) > size and not {"，", ","} & set(first[:at]):
            return first[:at]
    opening = clauses_of(first, lexicon)
    own = clauses_of(unit, lexicon)
    if len(opening) > 1 and not opening[0].condition and opening[1].condition and own and own[0].condition:
        return opening[0].text + opening[0].mark
    return ""


def _pieces(text: str) -> list[str]:
    """The text cut after each ， and each ： that is not part of a time (8:00), marks kept."""
    out, start = [], 0
    for at, char in enumerate(text):
        time = char in "：:" and 0 < at < len(text) - 1 and text[at - 1].isdigit() and text[at + 1].isdigit()
        if char in "，,：:" and not time:
            out.append(text[start:at + 1])
            start = at + 1
    return [*out, text[start:]] if start < len(text) else out


def clauses_of(text: str, lexicon: Lexicon) -> list[Clause]:
    out = []
    for piece in _pieces(text):
        body, mark = (piece[:-1], piece[-1]) if piece and piece[-1] in "，,：:" else (piece, "")
        body = body.strip()
        if not body:
            continue
        heading = bool(mark) and mark in "：:" and (len(body) <= HEADING_CHARS or body.endswith("为"))
        out.append(Clause(body, mark, tuple(find_quantities(body)), body.endswith(lexicon.condition_ends), heading))
    return out


def _unit_facts(unit: str, prefix: str, topic: str, article: str, lexicon: Lexicon, lead: str = "") -> Iterator[Fact]:
    clauses = clauses_of(unit, lexicon)
    if not clauses:
        return
    clauses[0] = unjoined(clauses[0], lexicon)
    titled = _titled(prefix, clauses, topic, lexicon)
    mains = [i for i, c in enumerate(clauses) if c.quantities and not c.condition and not c.heading]
    if not any(c.quantities for c in clauses):
        yield _fact(clauses, titled, None, None, topic, article, unit, lead)
        return
    for start, end in _segments(clauses, mains):
        part = list(range(start, end + 1))
        branch = start > 0 and clauses[start].condition  # a condition beside the earlier ones, not under them
        first_main = mains[0] if mains else len(clauses)
        governing = [] if branch else [i for i in range(start) if clauses[i].condition and i < first_main]
        headings = [i for i in range(start) if clauses[i].heading]
        if clauses[start].text.startswith(lexicon.continuing_starts) and start > 0:
            governing = sorted({*governing, start - 1})
        chosen = sorted({*headings, *governing, *part})
        picked = [clauses[i] for i in chosen]
        if branch:  # 超过20000元的 goes on the way 单次赔偿金额超过5000元的 began: it carries 单次赔偿金额
            at = chosen.index(start)
            picked[at] = _with_subject(picked[at], _carried(clauses[0].text, clauses[start].text, lexicon))
        picked[0] = unjoined(picked[0], lexicon)
        own = {chosen.index(i) for i in part}
        for where, lower in _asked(picked, lexicon):
            if where[0] in own:
                yield _fact(picked, titled, where, lower, topic, article, unit, lead)


def _with_subject(clause: Clause, subject: str) -> Clause:
    if not subject or clause.text.startswith(subject):
        return clause
    text = subject + clause.text
    return Clause(text, clause.mark, tuple(find_quantities(text)), clause.condition, clause.heading)


def unjoined(clause: Clause, lexicon: Lexicon) -> Clause:
    """The clause without the conjunction that joined it to the one before (或者间断负重… → 间断负重…)."""
    for word in sorted(lexicon.leading_conjunctions, key=len, reverse=True):
        if clause.text.startswith(word) and len(clause.text) > len(word):
            text = clause.text[len(word):]
            return Clause(text, clause.mark, tuple(find_quantities(text)), clause.condition, clause.heading)
    return clause


def _segments(clauses: list[Clause], mains: list[int]) -> list[tuple[int, int]]:
    """(first, last) clause of each numeric statement: each clause stating a number with the conditions and headings
    just before it and the clauses after it that state none; a number after the consequence of an earlier one
    (…审批，超过20000元的，须报总经理审批; …全额退款，同时获得…5%的补偿) begins a statement of its own too."""
    starts = {0}
    for previous, main in pairwise(mains):
        start = main
        while start - 1 > previous and (clauses[start - 1].condition or clauses[start - 1].heading
                                        or clauses[start - 1].quantities):
            start -= 1
        starts.add(start)
    for i in range(1, len(clauses)):  # a number after a consequence of an earlier number: a statement of its own
        before = clauses[i - 1]
        current = max(start for start in starts if start < i)
        stated = any(clause.quantities for clause in clauses[current:i])
        if clauses[i].quantities and stated and not (before.condition or before.heading or before.quantities):
            starts.add(i)
    ordered = sorted(starts)
    return [(start, end - 1) for start, end in zip(ordered, [*ordered[1:], len(clauses)])]


def _asked(clauses: list[Clause], lexicon: Lexicon) -> list[tuple[tuple[int, int], tuple[int, int] | None]]:
    """Each number of the clauses as (clause, quantity) to ask, the two ends of a range asked once (the upper end,
    with its lower); a count of one per something (每多生育1个婴儿) is no fact of its own."""
    asked = []
    for c, clause in enumerate(clauses):
        if clause.heading:
            continue
        k = 0
        spans = clause.quantities
        while k < len(spans):
            after = spans[k + 1] if k + 1 < len(spans) else None
            if after is not None and clause.text[spans[k].end:after.start] in lexicon.range_joins:
                asked.append(((c, k + 1), (c, k)))
                k += 2
            else:
                if not _per_one(clause.text, spans[k], lexicon):
                    asked.append(((c, k), None))
                k += 1
    return asked


def _per_one(text: str, span: Span, lexicon: Lexicon) -> bool:
    before = text[max(0, span.start - 5):span.start]
    return span.value == "1" and not span.is_date and any(word in before for word in lexicon.per_words)


def _titled(prefix: str, clauses: list[Clause], topic: str, lexicon: Lexicon) -> str:
    """The prefix, with the chapter's topic in front when the provision names no subject the topic would (a fee,
    an allowance: `住宿费：` before `甲类地区：A类人员1200元`)."""
    text = prefix + "".join(c.text for c in clauses)
    if topic and topic not in text and topic.endswith(lexicon.subject_ends):
        return f"{topic}：{prefix}"
    return prefix


def _fact(clauses: list[Clause], prefix: str, asked, lower, topic: str, article: str, provision: str,
          lead: str = "") -> Fact:
    text = prefix + "".join(c.text + (c.mark if i < len(clauses) - 1 else "") for i, c in enumerate(clauses))
    text = text.rstrip("，,：:") + "。"
    return Fact(text, tuple(clauses), prefix, asked, lower, topic, article, provision, lead)

