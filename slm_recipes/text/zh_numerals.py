"""Chinese numerals: the one table of their characters and values, for every pattern that reads them."""

from __future__ import annotations

ONE_TO_NINE = "一二三四五六七八九"
#: Digits as written in dates, years and decimals (二〇二五年, 三点五).
ZERO_TO_NINE = "零〇" + ONE_TO_NINE
#: Every digit character: 两 stands for 2 before a unit or measure word (两天, 两万).
DIGITS = ZERO_TO_NINE + "两"
TEN = "十"
SMALL_UNITS = TEN + "百千"
BIG_UNITS = "万亿"
#: Numerals of headings, counts and article numbers (第二十三条, 三百).
COUNTING = DIGITS + SMALL_UNITS
#: Every numeral character, magnitudes included (三万, 十亿).
ALL = COUNTING + BIG_UNITS

DIGIT_VALUE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000}
BIG_UNIT_VALUE = {"万": 10_000, "亿": 100_000_000}
