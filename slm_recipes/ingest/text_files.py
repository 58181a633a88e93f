"""Plain-text and Markdown files in whatever common encoding they come in, detected rather than assumed."""

from __future__ import annotations

import codecs
from pathlib import Path

from slm_recipes.core.errors import RecipeError
from slm_recipes.ingest.cleaning import SourceLine, join_lines
from slm_recipes.ingest.document import DocumentText
from slm_recipes.ingest.text_quality import CJK_PUNCT, is_kana, ordinary_share

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]
# Frequent characters in both scripts (simplified and traditional forms): right decodings are full of them,
# a GBK file read as Big5 (or the reverse) is not.
_COMMON = set(
    "的一是不了在人有我他个们這这中来來上大为為和国國地到以说說时時要就出会會可也你对對生能而子那得于於着著下"
    "自之年过過发發后後作里用道行所然家种種事成方多经經么麼去法学學如都同现現当當没沒动動面起看定天分还還进進"
    "好小部其些主样樣理心本前开開但因只从從想实實日者意无無力与與长長把机機十民第公此已工使情明性知全三关關点點"
    "正业業外将將两兩高间間由问問最重并物手应應向头頭文体體相见見被利等产產或新己制身果加月话話合回特代内信表化"
    "给給位次度门門任常先通教原东東提立及比员員解水名论論处處条條款项項金额額元万萬第章节節规規定员資资司管理"
)

#: Below this share of ordinary characters no decoding is trusted: the file is refused, not read as mojibake.
MIN_ORDINARY = 0.8
#: What a file that is no text at all starts with (a .docx renamed .txt is a ZIP archive).
_SIGNATURES = [
    (b"PK\x03\x04", "a ZIP archive (a Word .docx, an Excel .xlsx or a .zip)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc or .xls)"), (b"%PDF", "a PDF"), (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip archive"),
]


def _plausibility(text: str) -> float:
    """Share of the frequent characters above: tells GBK from Big5 (ordinary_share alone cannot)."""
    good = sum(ch.isascii() and (ch.isprintable() or ch.isspace()) or ch in _COMMON or ch in CJK_PUNCT or is_kana(ch)
               for ch in text)
    return good / max(1, len(text))


def binary_kind(data: bytes) -> str | None:
    """What a file that is not text is (by its first bytes), or None."""
    return next((what for signature, what in _SIGNATURES if data.startswith(signature)), None)


def detect_encoding(data: bytes) -> str:
    """Name of the codec that decodes `data`: BOM, then UTF-16 without BOM (many NULs), then strict
    UTF-8, then GB18030, Big5, Shift_JIS (cp932) or UTF-16 without BOM, whichever decodes and reads most
    like a document; refused when even that one is not mostly ordinary text (never read as mojibake)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:4096]
    if sample.count(0) > len(sample) // 4:
        odd_nuls = sample[1::2].count(0)
        return "utf-16-le" if odd_nuls > sample[0::2].count(0) else "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = ["gb18030", "big5", "cp932"] + (["utf-16-le", "utf-16-be"] if len(data) % 2 == 0 else [])
    scores = {}
    for name in candidates:
        try:
            scores[name] = _plausibility(data.decode(name))
        except UnicodeDecodeError:
            continue
    if not scores:
        raise RecipeError("unknown text encoding (not UTF-8/16, GB18030/GBK, Big5 or Shift_JIS); save the file as UTF-8")
    best = max(candidates, key=lambda name: scores.get(name, -1.0))
    share = ordinary_share(data.decode(best))
    if share < MIN_ORDINARY:
        raise RecipeError(f"cannot tell its text encoding (read as {best}, only {share:.0%} of it is ordinary text); "
                          "save the file as UTF-8")
    return best

def read_text_file(path: Path) -> tuple[DocumentText, str]:
    """The cleaned text of a TXT/Markdown file (one page) and the encoding it was read with.
    Blank lines separate paragraphs; lines inside a paragraph are re-joined like PDF lines."""
    data = path.read_bytes()
    if kind := binary_kind(data):
        raise RecipeError(f"{path}: this is {kind}, not text; save it as PDF or UTF-8 text and ingest that")
    try:
        encoding = detect_encoding(data)
        text = data.decode(encoding)
    except RecipeError as exc:
        raise RecipeError(f"{path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise RecipeError(f"{path}: not valid {exc.encoding} text at byte {exc.start}; save the file as UTF-8") from exc
    if sum(ch < " " and ch not in "\t\n\r\f" for ch in text) > len(text) // 100:
        raise RecipeError(f"{path}: binary data, not text (control characters throughout); save it as PDF or UTF-8 text")
    lines = []
    new_block = True
    for raw in text.splitlines():
        if not raw.strip():
            new_block = True
            continue
        lines.append(SourceLine(raw, 1, new_block))
        new_block = False
    if not lines:
        raise RecipeError(f"{path}: the file holds no text")
    return join_lines(lines, 1), encoding
