"""Numbers are facts: find the quantities a text states and compare them after normalisation.

One implementation shared by curation, the extractive teacher and evaluation, so that
3万元 = 30000元 = 30,000元 = 三万元, 50% = 百分之五十 = 五成, 2025年3月1日 = 2025-03-01,
while 15个工作日 ≠ 15天. Article and chapter numbers (第十六条, 第3章), list markers
(1. 一、 （二）), document numbers (〔2025〕) and identifiers (A4, ISO9001) are not quantities.
Threshold words (以上, 以下, 不超过) are left out of the quantity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from slm_recipes.text import zh_numerals


@dataclass(frozen=True)
class Quantity:
    value: str  # canonical: a plain decimal "30000", "0.5", a date "2025-03-01" / "2025-03" / "03-01", a time "09:30"
    unit: str  # canonical: "元", "天", "工作日", "%", "小时", "公里", "date", "time", "" (bare number) ...
    text: str  # as written in the text
    span: tuple[int, int]


def extract_quantities(text: str) -> list[Quantity]:
    """The quantities `text` states, in order of appearance; spans index the original text."""
    norm = text.translate(_FULL_WIDTH)
    found: list[tuple[Quantity, bool, bool]] = []  # (quantity, had its own magnitude, unit may be inherited)
    for match in _PATTERN.finditer(norm):
        if match.group(0).startswith("一") and match.start() and norm[match.start() - 1] in _NOT_A_COUNT:
            continue  # 下一年度, 同一地点, 统一标准: a word, not one of something
        if match.groupdict().get("num") in ("零", "〇"):
            continue  # 零件, 零星, 零售: a lone 零 opens a word, it states no amount of nothing
        parsed = _parse(match, norm)
        if parsed is not None:
            value, unit, own_mag, plain = parsed
            start, end = match.span()
            found.append((Quantity(value, unit, text[start:end], (start, end)), own_mag, plain))
    return _inherit_range_units(found, norm)


def quantity_in(q: Quantity, candidates: list[Quantity]) -> bool:
    """Same value and unit. A bare number (no unit) on either side matches on value alone; a month-day
    date matches a full date with that month and day; a year (2025年) or a year-month (2025年3月) is
    stated by a full date in it (2025年3月1日)."""
    for c in candidates:
        if c.value == q.value and (c.unit == q.unit or (not c.unit and q.unit not in _NOT_BARE) or (not q.unit and c.unit not in _NOT_BARE)):
            return True
        if q.unit == c.unit == "date" and len(q.value) == 5 and c.value.endswith("-" + q.value):
            return True
        if c.unit == "date" and _is_year_or_month(q) and c.value.startswith(q.value + "-"):
            return True
    return False


def _is_year_or_month(q: Quantity) -> bool:
    return (q.unit == "年" and len(q.value) == 4 and q.value[:2] in ("19", "20")) or (q.unit == "date" and len(q.value) == 7)


# --- tables -------------------------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％～－／", "0123456789.%~-/")
_NOT_BARE = {"date", "time"}

_ZH_DIGIT = zh_numerals.DIGIT_VALUE
_ZH_UNIT = zh_numerals.SMALL_UNIT_VALUE
_ZH_BIG = zh_numerals.BIG_UNIT_VALUE
_MAGNITUDE = {"百万": 1_000_000, "千万": 10_000_000, "万": 10_000, "亿": 100_000_000, "千": 1000}

# written unit -> canonical unit ("%" units from 成/折 also rescale the value)
_UNITS = {
    "元": "元", "块钱": "元", "块": "元", "人民币": "元", "美元": "美元", "港元": "港元", "欧元": "欧元",
    "个工作日": "工作日", "工作日": "工作日", "个自然日": "天", "自然日": "天", "天": "天", "日": "天",
    "个小时": "小时", "小时": "小时", "钟头": "小时", "分钟": "分钟", "秒": "秒",
    "个星期": "周", "星期": "周", "周": "周", "个月": "个月", "月": "月", "年": "年",
    "公里": "公里", "千米": "公里", "km": "公里", "米": "米", "公斤": "公斤", "千克": "公斤", "kg": "公斤", "克": "克", "吨": "吨",
    "张": "张", "人次": "人次", "次": "次", "人": "人", "名": "人", "位": "人", "个": "个", "份": "份", "件": "件",
    "项": "项", "家": "家", "台": "台", "晚": "晚", "夜": "晚", "周岁": "岁", "岁": "岁", "整天": "天", "个年度": "年度", "倍": "倍", "页": "页", "条": "条",
    "篇": "篇", "间": "间", "点": "点", "号": "号", "级": "级", "%": "%", "成": "%", "折": "%",
    "学分": "学分", "学时": "学时", "课时": "学时", "分": "分",  # credits, class hours, points of a score or a tally
}
_UNIT_GUARDS = {  # words that start like a unit but are not one
    "成": "(?![本员立功绩果为都交熟长])", "折": "(?![旧算合扣叠返腾中])", "次": "(?!性)", "人": "(?!民|员)",
    "点": rf"(?![\d{zh_numerals.ZERO_TO_NINE}])", "名": "(?![称单义字])", "位": "(?![置于])", "个": "(?![人体别性])",
    "米": "(?![饭])", "周": "(?![边末])", "分": "(?![之钟期批部类工配])", "年": "(?!制)",
}
_NOT_A_COUNT = "下上同统唯单"  # before 一, these make a word of it
_STRUCTURE = {"条", "章", "节", "款", "项", "编", "篇", "部分", "页", "名", "级", "号", "类", "批"}
_LABELS = ("附件", "附表", "表", "图", "编号", "序号")
_COUNT_CLASSIFIERS = {"点", "个", "次", "项", "位", "名", "份", "件", "家", "张", "条", "篇", "台"}  # 一 + these is an article (这一点: a word)

_ZH_NUM = f"[{zh_numerals.DIGITS}{zh_numerals.TEN}][{zh_numerals.ALL}]*(?:点[{zh_numerals.ZERO_TO_NINE}]+)?"
_AR_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ZH_SMALL = f"[{zh_numerals.ONE_TO_NINE}{zh_numerals.TEN}]{{1,3}}"  # months and days: 一 to 十, 十二, 二十一
_YEAR = f"(?:19|20)\\d{{2}}|[{zh_numerals.ZERO_TO_NINE}]{{4}}"
_UNIT_RE = "|".join(re.escape(u) + _UNIT_GUARDS.get(u, "") for u in sorted(_UNITS, key=len, reverse=True))

_PATTERN = re.compile(
    rf"(?P<ymd_y>{_YEAR})\s*年\s*(?P<ymd_m>\d{{1,2}}|{_ZH_SMALL})\s*月\s*(?P<ymd_d>\d{{1,2}}|{_ZH_SMALL})\s*[日号]"
    rf"|(?P<iso_y>(?:19|20)\d{{2}})(?P<sep>[-/.])(?P<iso_m>\d{{1,2}})(?P=sep)(?P<iso_d>\d{{1,2}})(?![\d.])"
    rf"|(?P<ym_y>{_YEAR})\s*年\s*(?P<ym_m>\d{{1,2}}|{_ZH_SMALL})\s*月(?!\s*[\d{zh_numerals.ONE_TO_NINE}{zh_numerals.TEN}])"
    rf"|(?P<isoym_y>(?:19|20)\d{{2}})[-/](?P<isoym_m>\d{{1,2}})(?![\d./-])"
    rf"|(?P<md_m>\d{{1,2}}|{_ZH_SMALL})\s*月\s*(?P<md_d>\d{{1,2}}|{_ZH_SMALL})\s*[日号]"
    rf"|(?P<hh>[01]?\d|2[0-3])[:：](?P<mi>[0-5]\d)(?!\d)"
    rf"|百分之(?P<pct>{_AR_NUM}|{_ZH_NUM})"
    rf"|(?P<half_all>一半)"
    rf"|(?<![上下])(?P<half>半)(?=个?(?:小时|钟头|天|日|年|月))(?P<half_unit>{_UNIT_RE})"
    rf"|(?P<num>{_AR_NUM}|{_ZH_NUM})(?:[ \t]?(?P<mag>百万|千万|万|亿|千(?=元|块)))?(?:[ \t]?(?P<unit>{_UNIT_RE}))?"
)


# --- parsing ------------------------------------------------------------------------------------------


def _parse(m: re.Match[str], t: str) -> tuple[str, str, bool, bool] | None:
    """(value, unit, had its own magnitude, bare-and-may-inherit) or None when the match is not a quantity."""
    num = m.group("num")
    if num is not None:  # the common case first: groupdict() is slow
        return _plain(m, t, num)
    g = m.groupdict()
    if g["ymd_y"]:
        return _date(g["ymd_y"], g["ymd_m"], g["ymd_d"])
    if g["iso_y"]:
        return _date(g["iso_y"], g["iso_m"], g["iso_d"])
    if g["ym_y"]:
        return _date(g["ym_y"], g["ym_m"], None)
    if g["isoym_y"]:
        return _date(g["isoym_y"], g["isoym_m"], None)
    if g["md_m"]:
        if _preceded_by(t, m.start(), "第"):
            return None
        return _date(None, g["md_m"], g["md_d"])
    if g["hh"]:
        return f"{int(g['hh']):02d}:{g['mi']}", "time", False, False
    if g["pct"]:
        value = _number(g["pct"])
        return (_fmt(value), "%", False, False) if value is not None else None
    if g["half_all"]:
        return "50", "%", False, False
    if g["half"]:
        return "0.5", _UNITS[g["half_unit"]], False, False
    return None


def _plain(m: re.Match[str], t: str, num: str) -> tuple[str, str, bool, bool] | None:
    mag, unit = m.group("mag", "unit")
    chinese = not num[0].isdigit()
    if chinese and not unit and not mag and (len(num) < 2 or not any(ch in "十百千万亿" for ch in num)):
        return None  # 一般, 统一, 之一: short bare Chinese numerals are words, not quantities
    start, end = m.span()
    if _preceded_by(t, start, "第") and (not unit or unit in _STRUCTURE or t[end:end + 1] in _STRUCTURE):
        return None  # 第十六条 / 第3章 / 第二款 (but 第61天 is a day)
    if start > 0 and t[start - 1].isascii() and t[start - 1].isalpha():
        return None  # A4 / ISO9001
    if not unit and t[max(0, start - 2):start].endswith(_LABELS):
        return None  # 附件1, 表2
    if not unit and end < len(t) and t[end].isascii() and t[end].isalpha():
        return None  # 5G, 3x
    if chinese and num == "一" and (unit in _COUNT_CLASSIFIERS or t[start - 1:start] in ("同", "统", "唯", "之", "万")):
        return None  # 一个部门, 一次性: an article; 同一年度, 统一天数: a word
    if chinese and t[start - 1:start] in ("哪", "几"):
        return None  # 哪一天, 几十: a question word, not a number
    if _bracketed(t, start, end):
        return None  # 〔2025〕, （3）
    if not unit and not mag and _list_marker(t, start, end):
        return None
    value = _number(num)
    if value is None:
        return None
    if mag:
        value *= _MAGNITUDE[mag]
    canonical = _UNITS[unit] if unit else ""
    if unit == "成":
        if value > 10:
            return None
        value *= 10
    elif unit == "折":
        value = value * 10 if value < 10 else value
        if value > 100:
            return None
    return _fmt(value), canonical, bool(mag), not unit


def _date(year: str | None, month: str, day: str | None) -> tuple[str, str, bool, bool] | None:
    y = _number(year) if year else None
    mo, d = _number(month), _number(day) if day else None
    if mo is None or not 1 <= mo <= 12 or (day and (d is None or not 1 <= d <= 31)):
        return None
    parts = ([f"{int(y):04d}"] if y is not None else []) + [f"{int(mo):02d}"] + ([f"{int(d):02d}"] if d is not None else [])
    return "-".join(parts), "date", False, False


def _preceded_by(t: str, start: int, word: str) -> bool:
    i = start - 1
    while i >= 0 and t[i] in " \t":
        i -= 1
    return i >= 0 and t[i] == word


def _bracketed(t: str, start: int, end: int) -> bool:
    pairs = {"〔": "〕", "[": "]", "【": "】", "（": "）", "(": ")", "［": "］"}
    return start > 0 and end < len(t) and pairs.get(t[start - 1]) == t[end]


def _list_marker(t: str, start: int, end: int) -> bool:
    """1. 总则 / 1、 / 1) / 3.2 报销标准 at the start of a line; any bare number followed by 、."""
    after = t[end] if end < len(t) else ""
    if after == "、":
        return True
    line_start = t.rfind("\n", 0, start) + 1
    if t[line_start:start].strip():
        return False
    return after in (".", ")", "）", " ", "\t", "\u3000") and not t[end + 1: end + 2].isdigit()


def _inherit_range_units(found: list[tuple[Quantity, bool, bool]], t: str) -> list[Quantity]:
    """3-5天 / 3至5万元: the bare first number takes the unit (and magnitude) of the second."""
    out = [q for q, _, _ in found]
    for i in range(len(found) - 1):
        (q1, own1, plain1), (q2, own2, _) = found[i], found[i + 1]
        between = t[q1.span[1]: q2.span[0]].strip()
        if not plain1 or not q2.unit or q2.unit in _NOT_BARE or between not in ("-", "~", "—", "–", "至", "到"):
            continue
        if q2.text[-1] in "成折":
            continue
        value = Decimal(q1.value)
        if own2 and not own1:
            value *= _MAGNITUDE[_trailing_magnitude(q2.text)]
        out[i] = Quantity(_fmt(value), q2.unit, q1.text, q1.span)
    return out


def _trailing_magnitude(text: str) -> str:
    return next(mag for mag in sorted(_MAGNITUDE, key=len, reverse=True) if mag in text)


def _number(s: str) -> Decimal | None:
    """Arabic (with thousands commas) or Chinese numerals (一千二百, 三万五, 一点五, 二〇二五) as a Decimal."""
    s = s.replace(",", "")
    try:
        return Decimal(s)
    except InvalidOperation:
        pass
    whole, _, frac = s.partition("点")
    if any(ch not in _ZH_DIGIT for ch in frac):
        return None
    value = _zh_integer(whole)
    if value is None:
        return None
    if frac:
        value = Decimal(f"{value}.{''.join(str(_ZH_DIGIT[ch]) for ch in frac)}")
    return Decimal(value)


def _zh_integer(s: str) -> int | None:
    if not s:
        return None
    if all(ch in _ZH_DIGIT for ch in s):
        return int("".join(str(_ZH_DIGIT[ch]) for ch in s))  # 二〇二五, 八五
    total = section = number = 0
    last_unit = 1
    for ch in s:
        if ch in _ZH_DIGIT:
            number = _ZH_DIGIT[ch]
            last_unit = 1 if ch in "零〇" else last_unit
        elif ch in _ZH_UNIT:
            section += (number or 1) * _ZH_UNIT[ch]
            number, last_unit = 0, _ZH_UNIT[ch]
        elif ch in _ZH_BIG:
            total = (total + section + number) * _ZH_BIG[ch] if ch == "亿" else total + (section + number) * _ZH_BIG[ch]
            section = number = 0
            last_unit = _ZH_BIG[ch]
        else:
            return None
    if number and s[-1] in _ZH_DIGIT and len(s) > 1 and s[-2] not in _ZH_DIGIT and last_unit >= 100:
        number *= last_unit // 10  # 两千五 = 2500, 三万五 = 35000
    return total + section + number


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
