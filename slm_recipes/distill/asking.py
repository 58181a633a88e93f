"""Several questions about one fact, in different words: the document's own wording with the number asked for,
the measure asked about plainly (…的话，年休假是几天？), a person's everyday words (多长时间, 多少钱, 单位 for
用人单位), and the topic first; a rule without a number asked by what it says (能不能, 算不算, 由谁, 按什么) and by
its condition (…的话，会怎么样？).

Every question is well formed (`slm_recipes.text.question_form`), made of whole clauses and words of its source,
and never contains the number it asks for or its whole provision; the words a form uses are the lexicon's.
"""

from __future__ import annotations

import re
from string import Formatter

from slm_recipes.distill.provisions import Clause, Fact, unjoined
from slm_recipes.distill.quantities import Span, find_quantities
from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.question_form import question_problems
from slm_recipes.text.segmenter import boundaries, tagged
from slm_recipes.text.shingles import jaccard, shingles

MIN_QUESTION, MAX_QUESTION = 6, 60  # a longer question copies its sentence, and leaves no room for the passage
REPEATS = 0.8  # from this character-bigram Jaccard with its answer a question repeats it (curate's refusal_filler)
DISTINCT = 0.8  # character-bigram Jaccard below which two forms are different questions (curate's dedup: 0.85)
ECHO = 0.7  # character-bigram Jaccard of question and answer from which the answer reads as the question filled in
FORMS = 5  # questions kept per fact at most
ECHOES = 2  # of them, at most this many that read like the answer with a question word put in
MEASURE_CHARS = 6  # what a number measures is named in this few characters or it is no plain noun
LEAD_CHARS = 16  # a lead this short may name what its number measures: 女职工生育享受的产假
BARE_SUBJECT = 6  # a rule asked by its subject alone (…应该怎么做？) needs more than a subject this short


def question_word(quantity: Span, lead: str, lexicon: Lexicon) -> str:
    """How to ask for this quantity: 多少元, 几个工作日, 百分之多少, 哪一天, (第)几天."""
    if quantity.is_date:
        return {4: "哪一年", 7: "哪年哪月", 10: "哪一天"}.get(len(quantity.value), "几月几日")
    if quantity.unit == "time":
        return "几点"
    if quantity.unit == "%":
        return "百分之多少"
    if quantity.unit == "/":
        return "几分之几"
    if quantity.unit == "月" and not quantity.written_unit.startswith("个"):
        return "几月"
    unit = quantity.written_unit
    try:
        small = float(quantity.value) < 10
    except ValueError:
        small = False
    if lead.endswith("第") or (unit in lexicon.few_units and small):
        return "几" + unit
    return "多少" + unit


def questions(fact: Fact, lexicon: Lexicon) -> list[str]:
    """Up to FORMS well-formed, different questions about `fact`; the one least like its answer when all read
    like it."""
    made = _numeric_forms(fact, lexicon) if fact.numeric else _rule_forms(fact, lexicon)
    made += [form for form in (_first_person(q, lexicon) for q in made) if form]
    kept: list[str] = []
    for question in dict.fromkeys(_tidy(q) for q in made):
        if _acceptable(question, fact, lexicon) and all(jaccard(shingles(question), shingles(q)) < DISTINCT for q in kept):
            kept.append(question)
    echoes = [q for q in kept if jaccard(shingles(q), shingles(fact.answer)) >= ECHO]
    return [q for q in kept if q not in echoes[ECHOES:]][:FORMS]


def _first_person(question: str, lexicon: Lexicon) -> str:
    """The question as the person it is about asks it (职工累计工作… → 我累计工作…); "" when it opens with no such person."""
    opening = lexicon.if_prefix if question.startswith(lexicon.if_prefix) else ""
    rest = question[len(opening):]
    person = next((p for p in lexicon.persons if rest.startswith(p)), "")
    if not person or rest[len(person):].startswith(("的", "，", ",")):
        return ""  # 职工的工资 is no 我的工资 a question would ask about
    return opening + lexicon.person + everyday(rest[len(person):], lexicon)


def everyday(text: str, lexicon: Lexicon) -> str:
    """`text` in a person's words: each of the lexicon's official words replaced where a word starts with it (职工
    in 职工工资) and, for one character, where it is a word of its own (须, never the 须 of 必须)."""
    for official, plain in lexicon.everyday:
        at = text.find(official)
        while at >= 0:
            cuts = boundaries(text)
            if at in cuts and (len(official) > 1 or at + 1 in cuts):
                text = text[:at] + plain + text[at + len(official):]
                at = text.find(official, at + len(plain))
            else:
                at = text.find(official, at + 1)
    return text


def _numeric_forms(fact: Fact, lexicon: Lexicon) -> list[str]:
    c, _ = fact.asked
    clauses = list(fact.clauses)
    quantity = fact.quantity
    word = question_word(quantity, clauses[c].text[:quantity.start], lexicon)
    lower = fact.lower_quantity
    if lower is not None:
        lower_word = question_word(lower, clauses[c].text[:lower.start], lexicon)
        word = "几点" if quantity.unit == "time" else word
    asked = _replace(clauses[c].text, quantity, word, lower, lower_word if lower is not None else "")
    stated = [Clause(asked, cl.mark, (), cl.condition, cl.heading) if i == c else cl for i, cl in enumerate(clauses)]
    last = c + 1 if c == _first_body(clauses) and c + 1 < len(clauses) else c
    while last > c and clauses[last].condition and last + 1 < len(clauses):
        last += 1  # …之日起7天内，在商品完好的情况下，可申请无理由退货：the question goes on to what may be done
    if clauses[c].condition:  # a question asked by its condition goes on to what the condition leads to
        last = next((i for i in range(c + 1, len(clauses)) if not clauses[i].condition), c)
    last = min(last, len(clauses) - 1)
    prefix = _plain_prefix(fact.prefix)
    plain = prefix + _join(stated[: last + 1])
    conditions = [cl for cl in clauses[:c] if cl.condition]
    own = _measure(clauses[c].text, quantity, lower, lexicon)
    forms = [plain + "？"]
    if last > c and not clauses[c].condition and _ends_in_verb(clauses[c].text):  # 伙食补助按每人每天多少元发放？ alone
        forms.append(prefix + _join(stated[: c + 1]) + "？")
    heads = _heads(clauses)
    if not fact.lead and heads and c == len(heads) and not clauses[c].text[quantity.end:]:  # 甲类地区：A类人员1200元
        row = clauses[c].text[: (lower or quantity).start]
        forms += [ask.format(row=row, heading="".join(cl.text for cl in heads), word=word) for ask in lexicon.rows]
    subject, asked_alone = _short(clauses, c, stated, last, lexicon)
    if subject:  # 用人单位按照其日工资收入的百分之多少支付未休年休假工资报酬？ without the clauses in between
        short = subject + asked_alone
        forms += [short + "？", everyday(short, lexicon) + "？",
                  lexicon.about.format(topic=subject, question=everyday(asked_alone, lexicon) + "？")]
    if fact.lead:  # 每小时负重几次以上…的作业，属于女职工禁忌从事的劳动范围吗？ is no question: ask within the lead
        forms = [f"{fact.lead}，{_join(stated[len(heads):last + 1])}？"]
    ordinal = clauses[c].text[:quantity.start].endswith("第")
    lead = clauses[c].text[: (lower or quantity).start]
    bounded = any(word in lead for word, _ in lexicon.bound_asks) or any(
        word in lead for word in (*lexicon.upper_bounds, *lexicon.lower_bounds))
    alone = len(clauses[c].quantities) == 1 + (lower is not None)  # no other number in its clause to leave out
    if own and alone and not (ordinal or bounded or clauses[c].condition
                              or clauses[c].text.startswith(lexicon.continuing_starts)):
        heading = "".join(cl.text for cl in clauses[:c] if cl.heading)
        topic = _topic_noun(fact)
        if heading and topic:  # 甲类地区A类人员的住宿费是多少元？
            forms.append(f"{heading}{_plain(lead, lexicon)}的{topic}是{word}？")
        forms.append(f"{_if(conditions, lexicon)}{own}{'有' if _ends_in_verb(lead) else '是'}{word}？")
        if own not in lead and _ends_in_verb(lead) and len(lead) <= LEAD_CHARS:  # 女职工生育享受的产假是多少天？
            forms.append(f"{_if(conditions, lexicon)}{_plain(lead, lexicon)}的{own}是{word}？")
    if clauses[c].condition and last > c:  # 年休假5天，职工累计工作已满几年不满多少年？
        before = _join([cl for cl in stated[:c + 1] if not cl.heading]).removesuffix("的")
        forms.append(everyday(f"{_join(clauses[last:last + 1])}，{before}？", lexicon))
    if conditions and conditions[-1] is clauses[len(conditions) - 1]:  # 如果…，…？
        forms.append(everyday(_supposing(prefix, conditions, lexicon) + _join(stated[len(conditions):last + 1]) + "？",
                              lexicon))
    if conditions and c > len(conditions):  # the conditions and the clause asked, without what lies between
        forms.append(f"{prefix}{_if(conditions, lexicon)}{_join(stated[c:last + 1])}？")
    forms.append(everyday(plain, lexicon) + "？")
    if lower is None:
        forms.append(_ask_plainly(plain, word, quantity, lexicon) + "？")
        forms.append(everyday(_ask_plainly(plain, word, quantity, lexicon), lexicon) + "？")
    for copula, plainly in lexicon.copulas:  # 修业年限为多少至几年 → 修业年限是多少至几年
        if clauses[c].text[: (lower or quantity).start].endswith(copula):
            spoken = asked[: len(asked) - len(clauses[c].text) + (lower or quantity).start - len(copula)]
            spoken = spoken + plainly + asked[len(spoken) + len(copula):]
            forms.append(everyday(prefix + _join([*stated[:c], Clause(spoken, clauses[c].mark, (), False, False),
                                                   *stated[c + 1:last + 1]]), lexicon) + "？")
            break
    for bound, plainly in lexicon.bound_asks:  # 不超过多少人 → 最多多少人
        if bound + word in plain:
            forms.append(everyday(plain.replace(bound + word, plainly + word, 1), lexicon) + "？")
            break
    if fact.topic and fact.topic not in plain:
        forms.append(lexicon.about.format(topic=fact.topic, question=_join(stated[: last + 1]) + "？"))
    return forms


def _rule_forms(fact: Fact, lexicon: Lexicon) -> list[str]:
    clauses = list(fact.clauses)
    prefix = _plain_prefix(fact.prefix)
    text = prefix + _join(clauses)
    forms = []
    if fact.lead:  # an item of a list: is it one of what the lead-in names?
        item = _join(clauses[len(_heads(clauses)):])
        forms += [ask.format(item=item, lead=fact.lead) for ask in lexicon.belongs]
    body_start = len(prefix) + sum(len(cl.text) + len(cl.mark) for cl in clauses[: _first_body(clauses)])
    matched = set()
    cuts = boundaries(text)
    for word, ask in lexicon.rule_questions:
        at = next((i for i in _finds(text, word, body_start) if i in cuts and i + len(word) in cuts), -1)
        if at < 0 or len(matched) == 2 or any(word in other or other in word for other in matched - {word}):
            continue
        before = text[:at]
        rest = text[at + len(word):]
        after = re.split(r"[，,：:。]", rest)[0]
        if after.startswith("的"):
            continue  # 直接负责的主管人员: the word qualifies a noun, it states no rule
        found = tagged(after)
        verb = found[-1][0] if found and found[-1][1].startswith("v") else ""
        following = re.split(r"[：:。]", rest[len(after):])[0] if rest[len(after):].startswith(("，", ",")) else ""
        then = verb or following.strip("，,")  # what is done by it: its verb, or the clauses after it
        values = {"before": before, "after": after, "verb": verb, "then": then, "last": clauses[-1].text,
                  "who": _who(before, lexicon)}
        if any("{" + key + "}" in ask and not value.strip("，,：: ") for key, value in values.items()):
            continue
        if (word in lexicon.modal_words and "{before}" in ask and not {"{after}", "{verb}", "{then}"} & set(_fields(ask))
                and len(before) < BARE_SUBJECT):
            continue  # 用人单位应该怎么做？ asks about a whole article
        forms.append(ask.format(**values))
        matched.add(word)
    last = max((i for i, cl in enumerate(clauses) if cl.condition), default=-1)
    if 0 <= last < len(clauses) - 1:
        opening = prefix + _join(clauses[: last + 1])
        forms.append(opening.removesuffix("的") + lexicon.if_suffix + "，" + lexicon.what_then)
        forms.append(_supposing(prefix, clauses[: last + 1], lexicon) + lexicon.what_then)
    forms += _what_forms(prefix, clauses, lexicon)
    forms += [everyday(f, lexicon) for f in list(forms)]
    return forms


def _who(before: str, lexicon: Lexicon) -> str:
    """The text before a rule's word with the party it names asked for (用人单位 → 谁); "" when it names none."""
    party = next((p for p in (*lexicon.parties, *lexicon.persons) if before.endswith(p)), "")
    opening = before[: len(before) - len(party)]
    return opening + lexicon.who if party and (not opening or opening.endswith(("，", ","))) else ""


def _finds(text: str, word: str, start: int) -> list[int]:
    """Where `word` occurs in `text` from `start` on."""
    return [start + m.start() for m in re.finditer(re.escape(word), text[start:])]


def _fields(ask: str) -> list[str]:
    return ["{" + name + "}" for _, name, _, _ in Formatter().parse(ask) if name]


def _what_forms(prefix: str, clauses: list[Clause], lexicon: Lexicon) -> list[str]:
    """A rule no form of the lexicon's fits, asked for what its main clause names: 学校实行什么？ for 学校实行学分制."""
    body = _first_body(clauses)
    found = tagged(clauses[body].text)
    verb = next((i for i, (_, tag) in enumerate(found) if tag.startswith("v")), -1)
    if verb > 0 and (found[verb][0] in lexicon.modal_words or found[min(verb + 1, len(found) - 1)][0] == "的"):
        return []  # 单位应当什么？ asks nothing; in 职工依法享受的探亲假… the verb belongs to the subject
    subject = all(tag.startswith(("n", "r", "f", "t", "m", "q")) for _, tag in found[:verb])
    if any(cl.condition for cl in clauses[body + 1:]):
        return []  # the clause is part of a condition the rule goes on to state
    if verb <= 0 or verb == len(found) - 1 or not subject or not found[0][1].startswith(("n", "r")):
        return []
    if not found[verb + 1][1].startswith(("n", "a", "m", "q", "t", "vn")) or "：" in clauses[body].text:
        return []  # 费用报销遵循… (报销 is no main verb), 加班至深夜 (no object follows)
    opening = prefix + _join(clauses[:body]) + ("，" if body else "")
    return [opening + "".join(w for w, _ in found[:verb + 1]) + lexicon.what + "？"]


def _short(clauses: list[Clause], c: int, stated: list[Clause], last: int, lexicon: Lexicon) -> tuple[str, str]:
    """The sentence's subject and the clause asked, the clauses between left out, as (subject, asked); ("", "")
    when the clause asked is the first or a condition, when a clause left out states a number (the answer would
    state a number the question does not name), or the sentence names no subject: its leading nouns, or else the
    first noun ending like a subject of the lexicon (市内交通费 in 出差期间在出差地发生的市内交通费实行包干制度)."""
    if c == 0 or clauses[c].condition or any(cl.heading or cl.quantities for cl in clauses[:c]):
        return "", ""
    found = tagged(clauses[0].text)
    subject = ""
    for word, tag in found:
        if not tag.startswith(("n", "r")) or tag.startswith("nr") or len(word) < 2:
            break
        subject += word
    if len(subject) < 2:
        subject = _named_subject(found, lexicon)
    if len(subject) < 2 or subject in clauses[c].text:
        return "", ""
    return subject, _join([unjoined(stated[c], lexicon), *stated[c + 1:last + 1]])


def _named_subject(found: tuple[tuple[str, str], ...], lexicon: Lexicon) -> str:
    """The first noun ending like a subject of the lexicon, with the place or noun words right before it."""
    for i, (word, tag) in enumerate(found):
        if tag.startswith("n") and word.endswith(lexicon.subject_ends):
            start = i
            while start > 0 and found[start - 1][1].startswith(("n", "s")) and not found[start - 1][1].startswith("nr"):
                start -= 1
            return "".join(w for w, _ in found[start:i + 1])
    return ""


def _heads(clauses: list[Clause]) -> list[Clause]:
    return [cl for cl in clauses if cl.heading]


def _first_body(clauses: list[Clause]) -> int:
    """The first clause that is neither a condition nor a heading."""
    return next((i for i, cl in enumerate(clauses) if not cl.condition and not cl.heading), 0)


def _replace(text: str, quantity: Span, word: str, lower: Span | None, lower_word: str) -> str:
    out = text[: quantity.start] + word + text[quantity.end:]
    if lower is not None:
        out = out[: lower.start] + lower_word + out[lower.end:]
    return out


def _measure(text: str, quantity: Span, lower: Span | None, lexicon: Lexicon) -> str:
    """What the number measures, as the clause names it: a short noun that ends the clause after it (产假 in 享受42天产假,
    罚款 in 处5万元以上30万元以下的罚款), or the noun before a copula (本科学制 in 本科学制为4年); "" when the clause
    names nothing plain enough to ask by."""
    start = (lower or quantity).start
    before, after = text[:start], text[quantity.end:]
    if after.startswith("的") and lower is not None and quantity.written_unit in lexicon.money_units:
        after = after[1:]  # 5万元以上30万元以下的罚款: the range measures the fine
    elif lower is not None:
        after = after.removeprefix("以下").removeprefix("以内")
    if after.startswith((*lexicon.unfinished_endings, *lexicon.upper_bounds, *lexicon.lower_bounds)):
        return ""  # 1个工作日内联系客户: the number bounds a time, it measures no noun
    if after:
        found = tagged(after)
        return after if len(after) <= MEASURE_CHARS and all(tag.startswith("n") for _, tag in found) else ""
    copula = next((word for word, _ in lexicon.copulas if before.endswith(word)), "")
    noun = before[: len(before) - len(copula)]
    found = tagged(noun)
    named = copula and found and all(tag.startswith(("n", "r")) for _, tag in found) and found[-1][1].startswith("n")
    return noun if named and len(noun) <= MEASURE_CHARS and not find_quantities(noun) else ""


def _topic_noun(fact: Fact) -> str:
    return fact.topic if fact.topic and fact.prefix.startswith(fact.topic) else ""


def _ends_in_verb(text: str) -> bool:
    found = tagged(text)
    return bool(found) and found[-1][1].startswith("v")


def _if(conditions: list[Clause], lexicon: Lexicon) -> str:
    """The conditions as a question opens with them: …的话，"""
    if not conditions:
        return ""
    text = "，".join(cl.text for cl in conditions)
    if text.endswith("的"):
        text += lexicon.if_suffix.removeprefix("的")
    return text + "，"


def _supposing(prefix: str, conditions: list[Clause], lexicon: Lexicon) -> str:
    """The conditions as a supposition opening a question: 如果职工累计工作已满1年不满10年，"""
    text = "，".join(cl.text for cl in conditions)
    return prefix + lexicon.if_prefix + text.removesuffix("的") + "，"


def _ask_plainly(text: str, word: str, quantity: Span, lexicon: Lexicon) -> str:
    """The question in a person's way of asking for a duration, an amount of money or a date."""
    if quantity.is_date:
        return text.replace(word, lexicon.ask_date, 1)
    if quantity.written_unit in lexicon.duration_units or quantity.unit in lexicon.duration_units:
        return text.replace(word, lexicon.ask_duration, 1)
    if quantity.written_unit in lexicon.money_units:
        return text.replace(word, lexicon.ask_money, 1)
    return text


def _plain(text: str, lexicon: Lexicon) -> str:
    for word in sorted(lexicon.modals, key=len, reverse=True):
        text = text.replace(word, "")
    return text


def _plain_prefix(prefix: str) -> str:
    """A prefix as a question opens with it: a heading's colon becomes a comma (住宿费：→ 住宿费，)."""
    return prefix.replace("：", "，").replace(":", "，")


def _join(clauses: list[Clause]) -> str:
    text = "".join(cl.text + ("，" if cl.mark and cl.mark in "：:" else cl.mark) for cl in clauses)
    return text.rstrip("，,")


def _tidy(question: str) -> str:
    question = question.strip().replace("，，", "，")
    while len(question) > 1 and question[-2] in "，,、；;：:":
        question = question[:-2] + question[-1]
    return question


def _acceptable(question: str, fact: Fact, lexicon: Lexicon) -> bool:
    if not MIN_QUESTION <= len(question) <= MAX_QUESTION or question_problems(question, lexicon):
        return False
    if fact.provision and fact.provision in question and not fact.lead:  # a list's item is asked by its words
        return False
    if jaccard(shingles(question), shingles(fact.answer)) >= REPEATS:
        return False
    quantity, lower = fact.quantity, fact.lower_quantity
    return (quantity is None or quantity.text not in question) and (lower is None or lower.text not in question)
