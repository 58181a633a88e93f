"""The domain documents and their person-written questions keep the data contract: every number an answer states
is in the documents, provenance points to a real page, and the two real regulations say where they come from and
hold the question mix they promise (numbers, rules without one, two places, questions they do not answer)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pymupdf
import pytest

from slm_recipes.retrieval.prompt import UNANSWERABLE
from slm_recipes.text.numbers import extract_quantities, quantity_in

DOMAINS = Path(__file__).resolve().parents[1] / "recipes" / "domains"
REAL = ("annual_leave", "women_workers")


def questions(domain: str) -> list[dict]:
    path = DOMAINS / domain / "paraphrased_eval.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def document_text(domain: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((DOMAINS / domain).glob("*.txt")))


@pytest.mark.parametrize("domain", sorted(p.name for p in DOMAINS.iterdir() if p.is_dir()))
def test_every_number_of_an_answer_is_in_the_documents_and_every_page_is_real(domain):
    text = document_text(domain)
    stated = extract_quantities(text)
    for q in questions(domain):
        if q.get("answerable", True) is False:
            assert q["answer"] == UNANSWERABLE["zh"] and q["chunk_id"] is None
            continue
        missing = [x.text for x in extract_quantities(q["answer"]) if not quantity_in(x, stated)]
        assert missing == [], q["id"]
        with pymupdf.open(DOMAINS / domain / q["doc"]) as pdf:
            assert 1 <= q["pages"][0] <= q["pages"][-1] <= pdf.page_count, q["id"]


@pytest.mark.parametrize("domain", REAL)
def test_a_real_regulation_names_its_source_and_holds_the_promised_questions(domain):
    source = (DOMAINS / domain / "SOURCE.md").read_text(encoding="utf-8")
    assert re.search(r"\b[0-9a-f]{40}\b", source) and "著作权法 第五条" in source
    found = questions(domain)
    answerable = [q for q in found if q.get("answerable", True)]
    assert len(answerable) == 40 and len(found) - len(answerable) == 10
    assert sum(bool(q["numbers"]) for q in answerable) >= 30
    assert sum(not q["numbers"] for q in answerable) >= 6
    assert sum(q.get("needs") == "two places" for q in answerable) >= 6
    assert len({q["question"] for q in found}) == len(found)
