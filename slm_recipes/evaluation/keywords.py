"""Reference keywords for Chinese and English answers, without a word segmenter.

A keyword is a content phrase of the reference answer: the text is cut at quantities (numbers
are scored separately), punctuation, and the lexicon's stop words and question words; what is left are phrases
such as 总经理, 银行账户, 伙食补助. Phrases the question already contains are dropped (an answer
that only repeats the question should not earn them) unless that leaves nothing. Long Chinese
phrases are cut into pieces of at most four characters, so one different character costs one
piece, not the whole phrase.
"""

from __future__ import annotations

import re

from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.numbers import extract_quantities

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
_ZH_PIECE = 4


def reference_keywords(reference: str, question: str, lexicon: Lexicon) -> list[str]:
    """Content phrases of `reference` (lower-cased English words, Chinese phrases of 2–4 characters), in order;
    the lexicon's stop words are not content."""
    phrases = _phrases(reference, lexicon)
    fresh = [p for p in phrases if normalise(p) not in normalise(question)]
    return fresh or phrases


def keywords_present(keywords: list[str], answer: str) -> list[bool]:
    """For each keyword, whether the answer contains it (case, spaces and full-width forms ignored)."""
    text = normalise(answer)
    return [normalise(k) in text for k in keywords]


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", text.casefold())


def _phrases(text: str, lexicon: Lexicon) -> list[str]:
    masked = list(text)
    for q in extract_quantities(text):
        masked[q.span[0]:q.span[1]] = [" "] * (q.span[1] - q.span[0])
    seen: dict[str, None] = {}
    for part in lexicon.keyword_breaks.split("".join(masked)):
        for phrase in _content(part, lexicon.english_stop_words):
            seen.setdefault(phrase, None)
    return list(seen)


def _content(part: str, english_stop_words: frozenset[str]) -> list[str]:
    out: list[str] = []
    for run in re.split(r"([A-Za-z][A-Za-z0-9'-]*)", part):
        if not run:
            continue
        if _EN_WORD.fullmatch(run):
            word = run.casefold()
            if len(word) >= 3 and word not in english_stop_words:
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
