from __future__ import annotations

from slm_recipes.retrieval.analyzer import terms


def test_bigrams_drop_question_words_and_keep_latin_words_whole():
    assert terms("住宿费是多少？Hotel CAP", "bigrams") == ["住宿", "宿费", "费是", "hotel", "cap"]
    assert "多少" not in terms("每晚多少钱", "bigrams") and "少钱" not in terms("每晚多少钱", "bigrams")


def test_words_keep_a_number_with_its_unit():
    words = terms("每公里1.2元给予燃油补贴，多少？", "words")
    assert "1.2元" in words and "燃油" in words and "多少" not in words and "，" not in words
