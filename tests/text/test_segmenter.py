"""Word boundaries: jieba's, with a number and its unit as one word, and snapping offsets onto them."""

from __future__ import annotations

from slm_recipes.text.segmenter import boundaries, is_word_run, snap_end, snap_start, tagged, words

RULE = "出差人员住宿费每天不超过500元"


def test_the_words_cover_the_text_and_a_quantity_is_one_word() -> None:
    text = "自驻外第61天起，住宿费按70%控制，单张发票1.5万元以上"
    assert "".join(words(text)) == text
    assert {"61天", "70%", "1.5万元"} <= set(words(text))
    assert dict(tagged(text))["70%"] == "m"
    assert words("") == ()


def test_a_piece_cut_inside_a_word_is_not_a_run_of_words() -> None:
    sentence = "经济舱机票按实际票价报销"
    assert is_word_run("经济舱机票", sentence) and is_word_run("实际票价", sentence)
    assert not is_word_run("济舱机票", sentence) and not is_word_run("经济舱机", sentence)
    assert not is_word_run("差人员住宿费", RULE) and is_word_run("出差人员住宿费", RULE)
    assert not is_word_run("高铁", sentence)  # not in the sentence at all


def test_offsets_snap_to_whole_words() -> None:
    cuts = boundaries(RULE)
    assert {0, 7, len(RULE)} <= cuts and 1 not in cuts
    assert snap_start(RULE, 1) == 0  # inside 出差: back to its start
    assert snap_start(RULE, 8) == 9  # inside 每天, a pronoun: past it
    assert snap_end(RULE, 5) == 7 and snap_end(RULE, 7) == 7
