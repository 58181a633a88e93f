"""The offline demo corpus in recipes/demo/ keeps the project's data contract.

Fast and model-free: these tests read the shipped files (document text, PDF, hand-written
QA pairs and the paraphrased evaluation set) and check that every number an answer
states is really in the document ("numbers are facts"), that provenance is right and that
questions do not simply copy the document.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "recipes" / "demo"
TXT = DEMO / "reimbursement_rules.txt"
PDF = DEMO / "reimbursement_rules.pdf"
QA = DEMO / "qa.jsonl"
EVAL = DEMO / "paraphrased_eval.jsonl"

UNIT = r"(?:万元|元|个工作日|个月|小时|公里|天|%|年|月|日|次|张|人)"
# a number with its unit; the look-behind stops "500元" matching inside "1500元"
NUM_UNIT = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*" + UNIT)
ARTICLE_HEADING = re.compile(r"^(第[一二三四五六七八九十百]+条)", re.MULTILINE)
KEYS = {"id", "question", "answer", "chunk_id", "doc", "pages", "teacher", "stage", "numbers"}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def occurs(needle: str, haystack: str) -> bool:
    """``needle`` (starting with a digit) occurs in ``haystack`` not as the tail of a longer number."""
    return re.search(r"(?<![\d.,])" + re.escape(needle), haystack) is not None


@pytest.fixture(scope="module")
def doc() -> str:
    return TXT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def qa() -> list[dict]:
    return load(QA)


@pytest.fixture(scope="module")
def evalset() -> list[dict]:
    return load(EVAL)


@pytest.fixture(scope="module")
def build_pdf():
    pytest.importorskip("pymupdf")
    spec = importlib.util.spec_from_file_location("demo_build_pdf", DEMO / "build_pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_document_states_many_numeric_facts(doc):
    distinct = set(NUM_UNIT.findall(doc))
    assert len(distinct) >= 40, sorted(distinct)
    assert len(re.findall(r"[\u4e00-\u9fff]", doc)) >= 3500


def test_articles_numbered_continuously(doc):
    headings = ARTICLE_HEADING.findall(doc)
    assert len(headings) >= 30
    assert len(set(headings)) == len(headings)


@pytest.mark.parametrize("path", [QA, EVAL], ids=["qa", "paraphrased_eval"])
def test_record_contract(path, doc):
    for rec in load(path):
        assert KEYS <= rec.keys(), rec
        assert rec["doc"] == "reimbursement_rules.txt"
        assert rec["stage"] in {"numeric", "general"}
        assert re.fullmatch(r"demo-art-\d{2}", rec["chunk_id"]), rec
        first, last = rec["pages"]
        assert 1 <= first <= last
        assert isinstance(rec["numbers"], list)
        if rec["stage"] == "numeric":
            assert rec["numbers"], rec
    assert {r["teacher"] for r in load(path)} == {"hand" if path == QA else "hand-paraphrase"}


def test_ids_unique(qa, evalset):
    ids = [r["id"] for r in qa + evalset]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"demo-\d{4}", r["id"]) for r in qa)
    assert all(re.fullmatch(r"demo-eval-\d{3}", r["id"]) for r in evalset)


def test_enough_pairs_and_numeric_share(qa, evalset):
    assert len(qa) >= 80
    numeric = sum(r["stage"] == "numeric" for r in qa)
    assert numeric / len(qa) >= 0.6  # the brief asks for 60%; the contract minimum is 30%
    assert len(evalset) == 30
    assert all(r["stage"] == "numeric" for r in evalset)


@pytest.mark.parametrize("path", [QA, EVAL], ids=["qa", "paraphrased_eval"])
def test_answer_numbers_are_in_document(path, doc):
    for rec in load(path):
        for found in NUM_UNIT.findall(rec["answer"]):
            assert occurs(found, doc), (rec["id"], found)
            # `numbers` lists every number the answer states (a date may be listed whole)
            assert any(found in n for n in rec["numbers"]), (rec["id"], found, rec["numbers"])
        for n in rec["numbers"]:
            assert n in rec["answer"], (rec["id"], n)
            assert occurs(n, doc), (rec["id"], n)


@pytest.mark.parametrize("path", [QA, EVAL], ids=["qa", "paraphrased_eval"])
def test_answer_numbers_are_in_their_article(path, doc, build_pdf):
    articles = build_pdf.articles(doc)
    for rec in load(path):
        article = articles[rec["chunk_id"]]
        for n in rec["numbers"]:
            assert occurs(n, article), (rec["id"], n, rec["chunk_id"])


@pytest.mark.parametrize("path", [QA, EVAL], ids=["qa", "paraphrased_eval"])
def test_questions_do_not_copy_document(path, doc):
    for rec in load(path):
        q = rec["question"]
        assert len(q) <= 30, rec["id"]
        assert len(rec["answer"]) <= 45, rec["id"]
        assert rec["answer"] != q
        for i in range(len(q) - 19):
            assert q[i:i + 20] not in doc, (rec["id"], q[i:i + 20])


def test_paraphrased_eval_is_new_wording_of_known_facts(qa, evalset):
    questions = {r["question"] for r in qa}
    for rec in evalset:
        assert rec["question"] not in questions, rec["id"]
        same_article = [r for r in qa if r["chunk_id"] == rec["chunk_id"]]
        assert any(set(rec["numbers"]) <= set(r["numbers"]) for r in same_article), rec["id"]


def test_pdf_has_pages_and_every_article(doc):
    pymupdf = pytest.importorskip("pymupdf")
    assert PDF.exists()
    with pymupdf.open(PDF) as pdf:
        assert pdf.page_count >= 3
        pages = [page.get_text() for page in pdf]
    text = re.sub(r"\s+", "", "".join(pages))
    for heading in ARTICLE_HEADING.findall(doc):
        assert heading in text, heading
    # the page furniture is there on purpose (ingestion must strip it)
    assert all("星河科技有限公司 报销细则" in p for p in pages)
    assert all(f"第 {n} 页 共 {len(pages)} 页" in p for n, p in enumerate(pages, start=1))


def test_pages_match_pdf(qa, evalset, build_pdf):
    pages = build_pdf.article_pages(PDF, TXT)
    for rec in qa + evalset:
        assert rec["pages"] == pages[rec["chunk_id"]], rec["id"]
