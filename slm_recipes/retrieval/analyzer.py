"""Text to index terms, for Chinese and English alike.

`bigrams`: overlapping pairs of Chinese characters (a single character alone when it stands between
punctuation), Latin words and numbers whole: no dictionary, so a document's own coinages match.
`words`: the kernel segmenter's words (jieba, a number with its unit one word). Both drop punctuation
and question words, which say what is asked, not what about.
"""

from __future__ import annotations

import re

from slm_recipes.text import segmenter

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z0-9][a-z0-9.%'-]*")
#: Question words and particles: asked in the question, never stated by the passage that answers it.
QUESTION_WORDS = frozenset(("什么", "多少", "哪些", "哪个", "哪里", "怎么", "怎样", "如何", "是否", "为什么", "能否", "可以",
                            "几", "吗", "呢", "吧", "啊", "么", "的", "了", "是", "谁", "哪", "请问",
                            "what", "which", "who", "how", "much", "many", "is", "are", "do", "does", "the", "a",
                            "an", "of", "to", "in", "for", "can", "i", "my", "me", "there", "it"))
ANALYZERS = ("words", "bigrams")


def terms(text: str, analyzer: str) -> list[str]:
    """The index terms of `text`, in order (repeats kept: BM25 counts them)."""
    text = text.casefold().translate(_FULL_WIDTH)
    if analyzer == "words":
        return [w for w in (w.strip() for w in segmenter.words(text)) if w and w not in QUESTION_WORDS
                and all(c.isalnum() or c in ".%'-" for c in w)]
    out: list[str] = []
    for run in _RUNS.findall(text):
        if not _is_cjk(run[0]):
            if run not in QUESTION_WORDS:
                out.append(run)
            continue
        for part in _QUESTION_WORD.split(run):
            out += [part[i:i + 2] for i in range(len(part) - 1)] if len(part) > 1 else [part] if part else []
    return out


_QUESTION_WORD = re.compile("为什么|什么|多少|哪些|哪个|哪里|怎么|怎样|如何|是否|能否|请问")


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"
