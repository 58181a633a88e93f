"""The offline extractive teacher: deterministic, no LLM. Every numeric fact of a chunk becomes a few short,
differently built questions (plain, topic first, condition or limit first), each answered by the source's own
words stating the fact. No question contains its source sentence or its answer's number, and every piece a
question takes from the source is made of whole words (cut only where `slm_recipes.text.segmenter` sees a boundary)."""

from __future__ import annotations

from pathlib import Path

from slm_recipes.distill.facts import Fact, chunk_facts
from slm_recipes.distill.quantities import Span
from slm_recipes.distill.teacher import TeacherReply, TeacherRequest
from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.segmenter import initialise, words
from slm_recipes.text.shingles import jaccard, shingles

MAX_QUESTION = 48
ECHO = 0.7  # character-bigram Jaccard of question and answer from which the answer reads as the question filled in


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


def _pieces(text: str, dropped: tuple[str, ...]) -> list[str]:
    """`text` as the runs of whole words left when the words or phrases (of up to 3 words) in `dropped` are taken out."""
    found, pieces, current, i = list(words(text)), [], "", 0
    while i < len(found):
        span = next((n for n in (3, 2, 1) if "".join(found[i:i + n]) in dropped), 0)
        if span:
            pieces.append(current)
            current, i = "", i + span
        else:
            current, i = current + found[i], i + 1
    return [piece for piece in [*pieces, current] if piece]


def _plain_pieces(text: str, lexicon: Lexicon) -> list[str]:
    return _pieces(text, lexicon.modals)


def _plain(text: str, lexicon: Lexicon) -> str:
    """Drop the lexicon's modal words (应, 须, 原则上): questions ask, they do not quote the rule's voice."""
    return "".join(_plain_pieces(text, lexicon))


def _short(text: str, lexicon: Lexicon) -> str:
    """A clause's remainder up to its first list or join word (、和及并或): the questions stay short."""
    found = words(text)
    cut = next((i for i, word in enumerate(found) if word in lexicon.tail_breaks), len(found))
    return "".join(found[:cut])


def _unbounded(text: str, lexicon: Lexicon) -> str:
    """`text` without its bound words (不超过, 至少, ...), which a limit-first question says itself."""
    return "".join(_pieces(text, lexicon.upper_bounds + lexicon.lower_bounds))


def _drop(text: str, part: str) -> str:
    """`text` without `part` (and a 的 or 、 left dangling by it)."""
    return text.replace(part, "", 1).lstrip("的、，") if part else text


def questions(fact: Fact, lexicon: Lexicon) -> list[str]:
    """Up to three differently built questions about one fact: plain, topic first, condition or limit first.

    A question that reads like its answer with the number blanked out is dropped, unless the fact has no other.
    """
    word = question_word(fact.quantity, fact.lead, lexicon)
    if fact.lower is not None:
        word = "几点至几点" if fact.quantity.unit == "time" else word.replace("几", "几至几", 1) if word.startswith("几") else word
    lead = _plain(fact.heading + fact.lead, lexicon)
    noun_lead = not fact.tail and bool(lead) and not lead.endswith(lexicon.verb_endings)
    asks = lead + ("是" if noun_lead and not lead.endswith("的") else "") + word + _short(fact.tail, lexicon)
    build = _condition_questions if fact.consequence else _plain_questions
    kept = [q for q in dict.fromkeys(build(fact, word, lead, asks, noun_lead, lexicon)) if _acceptable(q, fact)]
    similarity = {q: jaccard(shingles(q), shingles(fact.answer)) for q in kept}
    distinct = [q for q in kept if similarity[q] < ECHO]
    return distinct[:3] or sorted(kept, key=similarity.__getitem__)[:1]


def _condition_questions(fact: Fact, word: str, lead: str, asks: str, noun_lead: bool, lexicon: Lexicon) -> list[str]:
    """单次出租车费用超过多少元，要在报销单上注明起止地点？ / 关于交通费，… / 单张发票在什么情况下要附消费明细清单？"""
    subject, found = fact.subject, []
    consequence = _short(_required(fact.consequence), lexicon)
    base = asks.removesuffix("的")
    base = base if not subject or subject in base else subject + base
    if subject and lead.startswith(subject) and fact.clause.endswith("的"):  # 金额在多少元以上的单张发票，…
        found.append(f"{_drop(lead, subject)}{word}{fact.tail.removesuffix('的')}的{subject}，{consequence}？")
    else:
        found.append(f"{base}，{consequence}？")
    if fact.topic:
        joint = "，" if base.endswith(("起", "前", "后", "时")) else "时"
        found.append(f"关于{fact.topic}，{_drop(base, fact.topic)}{joint}{consequence}？")
    if subject and fact.clause.startswith(subject) and len(subject) > 2:
        found.append(f"{subject}在什么情况下{consequence}？")
    return found


def _plain_questions(fact: Fact, word: str, lead: str, asks: str, noun_lead: bool, lexicon: Lexicon) -> list[str]:
    """国内出差至少提前几个工作日提交申请？ / 关于伙食补助，甲类地区是多少元？ / …合计最多多少元？"""
    subject, found = fact.subject, []
    if fact.condition:  # 同性别的员工结伴出差时，几人合住1间标准间？
        found.append(f"{_plain(fact.condition, lexicon).removesuffix('的')}时，{asks}？")
    if noun_lead and fact.measure:
        found.append(f"{lead}{fact.measure}是{word}？")
    elif not subject or subject in asks:
        found.append(asks + "？")
    elif noun_lead and not lead.endswith("的"):
        found.append(f"{lead}的{subject}是{word}？")
    elif asks.startswith(lexicon.verb_starts):
        found.append(f"{subject}{asks}？")
    else:
        found.append(f"{subject}方面，{asks}？")
    topic = fact.measure or (fact.topic if fact.topic not in asks else subject)
    rest = _drop(asks, topic)
    if topic and len(rest) >= 5:
        found.append(f"关于{topic}，{rest}？")
    limits = fact.lead + fact.tail
    bound = "最多" if lexicon.upper_bound.search(limits) else "至少" if lexicon.lower_bound.search(limits) else ""
    if bound and bound not in lead:  # 每人每月本市出租车费用合计最多多少元？
        stem = _unbounded(lead, lexicon) + _unbounded(_short(fact.tail, lexicon), lexicon)
        stem = stem if not subject or subject in stem else subject + stem
        found.append(f"{stem}{bound}{'要' if bound == '至少' else ''}{word}？")
    return found


def _required(consequence: str) -> str:
    """须附清单 → 要附清单: a consequence asked about keeps its sense, not the rule's modal word."""
    found = words(consequence)
    return "要" + "".join(found[1:]) if found and found[0] in ("应当", "必须", "须", "应") else consequence


def stem_pieces(fact: Fact, lexicon: Lexicon) -> list[str]:
    """Every piece of its source sentence that the fact's questions are built from (each made of whole words)."""
    pieces = [fact.subject, fact.measure, fact.heading, *_plain_pieces(fact.lead, lexicon), _short(fact.tail, lexicon),
              *_plain_pieces(fact.condition, lexicon)]
    required = _required(fact.consequence)
    pieces.append(_short(required[1:] if required.startswith("要") and required != fact.consequence else required,
                         lexicon))
    return [piece for piece in pieces if piece]


def _acceptable(question: str, fact: Fact) -> bool:
    return (6 <= len(question) <= MAX_QUESTION and fact.quantity.text not in question
            and (fact.lower is None or fact.lower.text not in question)
            and fact.sentence not in question and fact.clause not in question)


def continues(chunk: dict) -> bool:
    """The chunk starts inside a sentence (so its first one is cut); chunks from before the flag existed: past the start."""
    return bool(chunk["continues"]) if "continues" in chunk else bool((chunk.get("span") or [0])[0])


class ExtractiveTeacher:
    """`extractive` in `distill.teachers`: the demo's teacher and the first stage of every recipe.

    Its `model` names its rules and its lexicon, so a change of either makes new cache keys and a new distill stamp."""

    name = "extractive"
    rules = "extractive-v2"  # change it when the rules change (v2: whole words, own words)

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.model = self.version(lexicon)
        initialise()  # the segmenter's dictionary, loaded before the pipeline's threads ask

    @classmethod
    def version(cls, lexicon: Lexicon) -> str:
        return f"{cls.rules} {Path(lexicon.source).stem}@{lexicon.digest[:8]}"

    def generate(self, request: TeacherRequest) -> TeacherReply:
        """Numeric stage: pairs for every numeric fact of the chunk; other stages: none (this teacher only extracts)."""
        if request.stage != "numeric":
            return TeacherReply(pairs=[], model=self.model)
        pairs: dict[str, str] = {}
        chunk = request.chunk
        for fact in chunk_facts(chunk["text"], self.lexicon, starts_mid_text=continues(chunk)):
            for question in questions(fact, self.lexicon):
                pairs.setdefault(question, fact.answer)
        return TeacherReply(pairs=[{"question": q, "answer": a} for q, a in pairs.items()], model=self.model)
