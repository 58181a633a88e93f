from __future__ import annotations

from builders import chunk_records

from slm_recipes.retrieval.passages import passages_of


def test_sentences_carry_their_article_and_overlap_is_kept_once():
    records = chunk_records()
    records.append({**records[2], "id": "c3-again"})  # chunk overlap repeats the same sentences
    passages = passages_of(records, "sentence")
    texts = [p.text for p in passages]
    assert "第三条 甲类地区每人每晚不超过800元，乙类地区每人每晚不超过500元。" in texts
    assert "第六条 长期驻外的伙食补助按每人每天65元发放。" in texts
    assert "第四条 自驾出差按每公里1.2元给予燃油补贴。" in texts
    assert len(texts) == len(set(texts)) and not any(p.chunk_id == "c3-again" for p in passages)
    first = next(p for p in passages if "800元" in p.text)
    assert (first.chunk_id, first.pages, first.id) == ("c2", (1, 2), "c2#2")
    assert first.source == "rules.pdf pp.1-2"


def test_chunk_unit_is_the_whole_chunk():
    passages = passages_of(chunk_records(), "chunk")
    assert [p.id for p in passages] == ["c1", "c2", "c3", "c4"]
    assert passages[3].text.endswith("65元发放。") and passages[3].source == "rules.pdf p.3"
