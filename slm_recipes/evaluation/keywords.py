"""Reference keywords for Chinese and English answers, without a word segmenter.

A keyword is a content phrase of the reference answer: the text is cut at quantities (numbers
are scored separately), punctuation, stop-words and question words; what is left are phrases
such as 总经理, 银行账户, 伙食补助. Phrases the question already contains are dropped (an answer
that only repeats the question should not earn them) unless that leaves nothing. Long Chinese
phrases are cut into pieces of at most four characters, so one different character costs one
piece, not the whole phrase.
"""

from __future__ import annotations

import re

from slm_recipes.text.numbers import extract_quantities

_ZH_STOP = sorted((
    # multi-character function words first (longest match wins)
    "什么", "多少", "哪些", "哪个", "哪里", "怎么", "怎样", "如何", "是否", "为什么", "可以", "应当", "应该", "需要",
    "必须", "不得", "不能", "能否", "以上", "以下", "以内", "之内", "超过", "不超过", "最多", "最高", "至少", "每人",
    "每天", "每次", "每个", "每名", "每张", "每件", "其中", "以及", "或者", "并且", "因为", "所以", "如果", "按照",
    "根据", "对于", "关于", "我们", "你们", "他们", "这个", "那个", "这些", "那些", "一个", "进行", "给予", "予以",
    "本细则", "细则", "规定", "的话", "时候", "还是", "而且", "就是", "已经", "可能", "几天", "几个",
    # single characters that are function words almost everywhere
    "的", "了", "和", "与", "及", "或", "是", "在", "按", "由", "应", "须", "需", "将", "把", "被", "给", "并", "也",
    "都", "就", "而", "每", "吗", "呢", "吧", "啊", "么", "几", "谁", "哪", "这", "那", "从", "向", "至", "到", "即",
), key=len, reverse=True)
_EN_STOP = frozenset(
    ["a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "by", "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "much", "many", "does", "do", "did", "can", "could", "should", "would", "may", "might", "must", "shall", "will", "not", "no", "than", "then", "there", "their", "they", "them", "he", "she", "his", "her", "you", "your", "we", "our", "us", "i", "me", "my", "per", "each", "any", "all", "some", "up", "down", "out", "over", "under", "into", "about", "after", "before", "more", "most", "less", "least", "only", "also"]
)
_PUNCT = r"\s,.;:!?'\"()\[\]{}<>《》「」『』“”‘’，。、；：！？（）【】—…·~～/\\|_*#-"
_SPLIT = re.compile("|".join(re.escape(w) for w in _ZH_STOP) + f"|[{_PUNCT}]+")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
_ZH_PIECE = 4


def reference_keywords(reference: str, question: str = "") -> list[str]:
    """Content phrases of `reference` (lower-cased English words, Chinese phrases of 2–4 characters), in order."""
    phrases = _phrases(reference)
    fresh = [p for p in phrases if normalise(p) not in normalise(question)]
    return fresh or phrases


def keywords_present(keywords: list[str], answer: str) -> list[bool]:
    """For each keyword, whether the answer contains it (case, spaces and full-width forms ignored)."""
    text = normalise(answer)
    return [normalise(k) in text for k in keywords]


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", text.casefold())


def _phrases(text: str) -> list[str]:
    masked = list(text)
    for q in extract_quantities(text):
        masked[q.span[0]:q.span[1]] = [" "] * (q.span[1] - q.span[0])
    seen: dict[str, None] = {}
    for part in _SPLIT.split("".join(masked)):
        for phrase in _content(part):
            seen.setdefault(phrase, None)
    return list(seen)


def _content(part: str) -> list[str]:
    out: list[str] = []
    for run in re.split(r"([A-Za-z][A-Za-z0-9'-]*)", part):
        if not run:
            continue
        if _EN_WORD.fullmatch(run):
            word = run.casefold()
            if len(word) >= 3 and word not in _EN_STOP:
                out.append(word)
            continue
        han = "".join(ch for ch in run if "\u4e00" <= ch <= "\u9fff")
        if len(han) < 2:
            continue
        pieces = [han[i:i + _ZH_PIECE] for i in range(0, len(han), _ZH_PIECE)]
        if len(pieces) > 1 and len(pieces[-1]) == 1:  # never a one-character tail: 5 = 3 + 2, not 4 + 1
            pieces[-2:] = [pieces[-2][:-1], pieces[-2][-1] + pieces[-1]]
        out.extend(pieces)
    return out
