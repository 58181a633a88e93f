"""How much a decoded or extracted text reads like a real document rather than mojibake.

Two readers use it: text files (is this the right encoding, or none?) and PDFs (did PyMuPDF read a page
through a font without a Unicode map, so that pdfminer.six should read that page instead?). The measure
knows scripts, not documents: printable ASCII, punctuation, kana, the frequent ideographs of Chinese and
Japanese, and words whose letters follow one case pattern (`word`, `Word`, `WORD`, not `3HQČåQt`).
"""

from __future__ import annotations

import re
from functools import lru_cache

CJK_PUNCT = frozenset("，。、；：？！“”‘’（）《》【】—…「」『』・ー·")
#: The frequent ideographs of each encoding, by lead byte: GB2312 level 1, Big5 常用字, JIS level 1.
_FREQUENT_LEADS = (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6), ("cp932", 0x88, 0x98))
_TOKEN = re.compile(r"[^\s\u3000-\u9fff\uff00-\uffef]+")  # runs between spaces and CJK characters
_EDGE_PUNCT = "\"'“”‘’()[]{}<>«».,;:!?*•·–—-/\\|"
_NUMERIC = re.compile(r"^[\d.,:/%+\-–]+[a-z]{0,2}$")  # 105-304, 1998., 12:30, 3rd
_NOT_ASCII = re.compile(r"[^\t\n\r\f\v\x20-\x7e]")
_SYMBOLS = frozenset("€£¥°±×÷§©®™–—‘’“”…•\u3000\xa0")
_WORD = re.compile(r"^(?:[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?)$")  # letters, with inner apostrophes, hyphens, dots


def is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff"


@lru_cache(maxsize=1)
def _frequent_ideographs() -> frozenset[str]:
    """Every frequent ideograph of the three encodings, decoded once from their code ranges."""
    found = set()
    for codec, first, last in _FREQUENT_LEADS:
        for lead in range(first, last + 1):
            for trail in range(0x40, 0xFF):
                try:
                    ch = bytes((lead, trail)).decode(codec)
                except UnicodeDecodeError:
                    continue
                if len(ch) == 1 and "\u3400" <= ch <= "\u9fff":
                    found.add(ch)
    return frozenset(found)


def _is_ordinary(ch: str) -> bool:
    """For a character outside printable ASCII (those are always ordinary)."""
    if "\u3400" <= ch <= "\u9fff":
        return ch in _frequent_ideographs()
    return ch in CJK_PUNCT or is_kana(ch) or ch.isalpha() or ch in _SYMBOLS


def ordinary_share(text: str) -> float:
    """Share of characters any real document is mostly made of: a right decoding scores above 0.95,
    a wrong one (Shift_JIS read as GB18030) well under 0.5."""
    if not text:
        return 1.0
    unusual = _NOT_ASCII.findall(text)
    return 1 - sum(not _is_ordinary(ch) for ch in unusual) / len(text)


def _word_shaped(token: str) -> bool:
    token = token.strip(_EDGE_PUNCT)
    if not token or _NUMERIC.match(token):
        return True
    if not _WORD.match(token):
        return False
    letters = [ch for ch in token if ch.isalpha()]
    tail = letters[1:]
    return all(ch.islower() for ch in tail) or all(ch.isupper() for ch in letters)


def readability(text: str) -> float:
    """Ordinary characters times word-shaped tokens: near 1 for real text in any script, low for text read
    through a font whose codes are not Unicode (`3HQČåQt SURVWĜHGN` for `Peněžní prostředky`)."""
    tokens = _TOKEN.findall(text)
    shaped = sum(map(_word_shaped, tokens)) / len(tokens) if tokens else 1.0
    return ordinary_share(text) * shaped
