"""How much a decoded or extracted text reads like a real document rather than mojibake.

Two readers use it: text files (is this the right encoding, or none?) and PDFs (did PyMuPDF read a page
through a font without a Unicode map, so that pdfminer.six should read that page instead?). The measure
knows scripts, not documents: printable ASCII, punctuation, kana, the frequent ideographs of Chinese and
Japanese, letters of the alphabetic scripts, and words shaped as words are (not `3HQČåQt`).
"""

from __future__ import annotations

import re
from functools import lru_cache

CJK_PUNCT = frozenset("，。、；：？！“”‘’（）《》【】—…「」『』・ー·")
#: The frequent ideographs of each encoding, by lead byte: GB2312 level 1, Big5 常用字, JIS level 1.
_FREQUENT_LEADS = (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6), ("cp932", 0x88, 0x98))
#: What no script writes inside a word: a lower-case letter then a capital (`~þWHFK`), or a digit run into three
#: letters (`3HQČåQt`); `iPhone` counts too, rare enough in documents not to matter.
_MISSHAPEN = re.compile(r"[a-zß-ÿ][A-ZÀ-Þ]|\d[A-Za-z\u00c0-\u024f\u0370-\u04ff]{3}")
_SYMBOLS = frozenset("€£¥°±×÷§©®™–—‘’“”…•\u3000\xa0")
#: Letters of the alphabetic scripts (Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai), kana, Hangul,
#: full-width forms.
_LETTERS = ("\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u097f\u0e00-\u0e7f\u3040-\u30ff"
            "\uac00-\ud7af\uff01-\uff5e")


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


@lru_cache(maxsize=1)
def _unordinary() -> re.Pattern[str]:
    """One character class of everything ordinary, so counting the rest runs in the regex engine."""
    ideographs = "".join(sorted(_frequent_ideographs()))
    return re.compile(f"[^\\t\\n\\r\\f\\v\\x20-\\x7e{_LETTERS}{re.escape(''.join(sorted(CJK_PUNCT | _SYMBOLS)))}{ideographs}]")


def ordinary_share(text: str) -> float:
    """Share of characters any real document is mostly made of: a right decoding scores above 0.95,
    a wrong one (Shift_JIS read as GB18030) well under 0.5."""
    if not text:
        return 1.0
    return 1 - len(_unordinary().findall(text)) / len(text)


def readability(text: str) -> float:
    """Ordinary characters times word-shaped tokens: near 1 for real text in any script, low for text read
    through a font whose codes are not Unicode (`3HQČåQt SURVWĜHGN` for `Peněžní prostředky`)."""
    tokens = len(text.split())
    shaped = max(0.0, 1 - len(_MISSHAPEN.findall(text)) / tokens) if tokens else 1.0
    return ordinary_share(text) * shaped
