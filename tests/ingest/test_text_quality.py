"""Readability: real text in any script scores high, mojibake and codes-for-glyphs text low."""

import pytest

from slm_recipes.ingest.text_quality import ordinary_share, readability

REAL = ["第十七条 住宿费实行每人每天限额标准，甲类地区A类人员1200元。", "第一條 本公司註冊資本為新台幣120萬元。",
        "宿泊料は一泊につき12,000円とする。", "Peněžní prostředky na účtech, 28. října 1998",
        "The DMCA (Pub. L. No. 105-304) was signed on Oct. 28, 1998; see U.S. copyright-related rules."]


@pytest.mark.parametrize("text", REAL)
def test_real_text_reads_well(text: str) -> None:
    assert readability(text) > 0.9


def test_a_wrong_decoding_and_glyph_codes_read_badly() -> None:
    japanese = "宿泊料は一泊につき12,000円とする。日当は2,400円とする。".encode("shift_jis")
    assert ordinary_share(japanese.decode("gb18030")) < 0.5
    assert readability("3HQČåQt SURVWĜHGN\\ QD ~þWHFK") < 0.6  # Peněžní prostředky na účtech, font codes
    assert readability("\ue001\ue002\ue003 \ue004\ue005") < 0.2  # private-use glyphs
    assert readability("") == 1.0
