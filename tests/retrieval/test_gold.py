from __future__ import annotations

from builders import chunk_records

from slm_recipes.retrieval.gold import gold_passage
from slm_recipes.retrieval.passages import passages_of


def test_the_passage_stating_the_reference_numbers_is_gold():
    passages = passages_of(chunk_records(), "sentence")
    assert "65元" in gold_passage(passages, "长期驻外每天补助65元。").text
    assert "100元" in gold_passage(passages, "伙食补助每天100元。").text
    # a chunk id the index holds narrows the search to that chunk
    assert gold_passage(passages, "每天100元。", chunk_id="c2").chunk_id == "c2"
    assert gold_passage(passages, "完全无关 xyz") is None
