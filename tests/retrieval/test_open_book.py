from __future__ import annotations

import pytest
from builders import index_paths

from slm_recipes.retrieval.config import RetrievalConfig
from slm_recipes.retrieval.index import Retriever, build_index
from slm_recipes.retrieval.open_book import OpenBook
from slm_recipes.retrieval.prompt import UNANSWERABLE


@pytest.fixture
def book(tmp_path, chunks_file) -> OpenBook:
    config = RetrievalConfig(top_k=3, passage_tokens=60)
    build_index(config, index_paths(chunks_file, tmp_path / "index"))
    return OpenBook(Retriever(config, index_paths(chunks_file, tmp_path / "index")), count_tokens=len)  # a character per token


def ask(question: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "你是助手。"}, {"role": "user", "content": question}]


def test_read_shows_the_best_passages_within_the_budget(book):
    reading = book.read(ask("长期驻外的伙食补助每天多少钱？"))
    turn = reading.messages[-1]["content"]
    assert reading.answerable and reading.messages[0]["content"] == "你是助手。"
    assert turn.startswith("参考资料：\n[1] ") and turn.endswith("问题：长期驻外的伙食补助每天多少钱？")
    assert "65元" in reading.passages[0].text
    assert sum(len(p.text) for p in reading.passages[1:]) + len(reading.passages[0].text) <= 60 or len(reading.passages) == 1


def test_a_question_no_passage_is_about_gets_the_unanswerable_sentence(book):
    reading = book.read(ask("今天天气怎么样？"))
    assert not reading.answerable and reading.passages == [] and reading.unanswerable == UNANSWERABLE["zh"]
    assert book.read(ask("What is the weather like?")).unanswerable == UNANSWERABLE["en"]
    assert not book.read(ask("")).answerable


def test_training_puts_the_gold_passage_in_or_takes_it_out(book):
    passages = book.retriever.passages
    gold = next(p for p in passages if "第二条" in p.text)  # the retriever would not rank it for this question
    reading = book.training_read(ask("燃油补贴每公里多少钱？")[:2], gold, without_gold=False)
    assert gold in reading.passages and reading.answerable
    missing = book.training_read(ask("燃油补贴每公里多少钱？"), reading.passages[0], without_gold=True)
    assert reading.passages[0] not in missing.passages and missing.passages and not missing.answerable


def test_an_example_without_a_known_gold_passage_keeps_its_answer(book):
    reading = book.training_read(ask("燃油补贴每公里多少钱？"), None, without_gold=True)
    assert reading.answerable and reading.passages
