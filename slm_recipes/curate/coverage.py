"""Which numeric facts of each document a training pair states, and which none does.

A fact is one number with its unit (or a date) in one sentence of a document, after normalisation
(3万元 = 30000元); the same number in two sentences is two facts. A fact is covered when a kept
training pair whose source chunk holds that sentence states the number. The uncovered ones are
listed with their article (the 第X条 before them) and pages, so a user sees what the model will not
learn from this dataset.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from slm_recipes.text.headings import ARTICLE_NUMBER
from slm_recipes.text.numbers import Quantity, extract_quantities, quantity_in
from slm_recipes.text.shingles import normalise

SENTENCE = re.compile(r"[^。！？!?；;\n]+")
ARTICLE = re.compile(rf"^\s*({ARTICLE_NUMBER})", re.MULTILINE)  # an article heading, not a reference inside a rule


@dataclass(frozen=True)
class NumericFact:
    doc: str
    sentence: str  # normalised: the same sentence in two overlapping chunks is one fact
    quantity: Quantity
    article: str
    pages: tuple[int, ...]


@dataclass
class DocCoverage:
    facts: int = 0
    covered: int = 0
    uncovered: list[dict[str, Any]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.covered / self.facts if self.facts else 1.0


def numeric_facts(chunks: Iterable[dict[str, Any]]) -> dict[tuple, NumericFact]:
    """Every numeric fact of the chunks, keyed by (doc, sentence, value, unit), first place kept."""
    facts: dict[tuple, NumericFact] = {}
    for chunk in chunks:
        text = chunk.get("text", "")
        for sentence in SENTENCE.finditer(text):
            articles = ARTICLE.findall(text[:sentence.end()])
            for q in extract_quantities(sentence.group(0)):
                if not q.unit:  # a bare number is no fact on its own
                    continue
                key = (chunk.get("doc", "?"), normalise(sentence.group(0)), q.value, q.unit)
                facts.setdefault(key, NumericFact(key[0], key[1], q, articles[-1] if articles else "",
                                                  tuple(chunk.get("pages") or ())))
    return facts


def coverage(chunks: dict[str, dict[str, Any]], training: Iterable[dict[str, Any]]) -> dict[str, DocCoverage]:
    """Per document: its numeric facts, how many the training pairs state, and the rest with article and pages."""
    facts = numeric_facts(chunks.values())
    stated: dict[tuple[str, str], list[Quantity]] = defaultdict(list)  # (doc, sentence) -> numbers its pairs state
    for record in training:
        chunk = chunks.get(record.get("chunk_id"))
        if chunk is None:
            continue
        numbers = extract_quantities(record["answer"])
        for sentence in SENTENCE.findall(chunk.get("text", "")):
            stated[(chunk.get("doc", "?"), normalise(sentence))] += numbers
    out: dict[str, DocCoverage] = defaultdict(DocCoverage)
    for fact in facts.values():
        doc = out[fact.doc]
        doc.facts += 1
        if quantity_in(fact.quantity, stated.get((fact.doc, fact.sentence), [])):
            doc.covered += 1
        else:
            doc.uncovered.append({"number": fact.quantity.text, "article": fact.article, "pages": list(fact.pages)})
    return dict(sorted(out.items()))
