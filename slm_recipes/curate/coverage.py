"""Which numeric facts and which articles of each document a training pair states, and which none does.

A fact is one number with its unit (or a date) in one sentence of a document, after normalisation
(3万元 = 30000元); the same number in two sentences is two facts. A fact is covered when a kept
training pair whose source chunk holds that sentence states the number. The uncovered ones are
listed with their article (the 第X条 before them) and pages, so a user sees what the model will not
learn from this dataset.

An article (第X条 at the start of a line, to the next one) is covered when a kept training pair from a chunk
holding it has an answer that reads as taken from that article: most of the answer's character bigrams are the
article's, the article sharing more of them than any other of the chunk's articles (an LLM's answer in other
words still shares most). Text of a chunk before its first article belongs to the one its doc left off with.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from slm_recipes.text.headings import ARTICLE_NUMBER
from slm_recipes.text.numbers import Quantity, extract_quantities, quantity_in
from slm_recipes.text.shingles import normalise, shingles

SENTENCE = re.compile(r"[^。！？!?；;\n]+")
ARTICLE = re.compile(rf"^\s*({ARTICLE_NUMBER})", re.MULTILINE)  # an article heading, not a reference inside a rule


@dataclass(frozen=True)
class NumericFact:
    doc: str
    sentence: str  # normalised: the same sentence in two overlapping chunks is one fact
    quantity: Quantity
    article: str
    pages: tuple[int, ...]


FROM_ARTICLE = 0.5  # share of an answer's bigrams an article must hold for the answer to be taken from it


@dataclass
class DocCoverage:
    facts: int = 0
    covered: int = 0
    uncovered: list[dict[str, Any]] = field(default_factory=list)
    articles: int = 0
    articles_covered: int = 0
    articles_uncovered: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.covered / self.facts if self.facts else 1.0

    @property
    def articles_share(self) -> float:
        return self.articles_covered / self.articles if self.articles else 1.0


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


def coverage(chunks: dict[str, dict[str, Any]], training: list[dict[str, Any]]) -> dict[str, DocCoverage]:
    """Per document: its numeric facts and articles, how many the training pairs state, and the rest (facts with
    article and pages)."""
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
    _count_articles(chunks, training, out)
    for fact in facts.values():
        doc = out[fact.doc]
        doc.facts += 1
        if quantity_in(fact.quantity, stated.get((fact.doc, fact.sentence), [])):
            doc.covered += 1
        else:
            doc.uncovered.append({"number": fact.quantity.text, "article": fact.article, "pages": list(fact.pages)})
    return dict(sorted(out.items()))


def chunk_articles(chunks: Iterable[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Each chunk's articles as (label, text) in order, by chunk id; a chunk's text before its first article
    heading goes with the article its doc's previous chunk ended in ("" before a doc's first article)."""
    out: dict[str, list[tuple[str, str]]] = {}
    current: dict[str, str] = {}
    for chunk in chunks:
        doc, text = str(chunk.get("doc", "?")), chunk.get("text", "")
        starts = list(ARTICLE.finditer(text))
        parts = [(current.get(doc, ""), text[: starts[0].start() if starts else len(text)])]
        for k, found in enumerate(starts):
            end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
            parts.append((found.group(1), text[found.start():end]))
        if starts:
            current[doc] = starts[-1].group(1)
        out[str(chunk.get("id"))] = [(label, part) for label, part in parts if label and part.strip()]
    return out


def _count_articles(chunks: dict[str, dict[str, Any]], training: list[dict[str, Any]],
                    out: dict[str, DocCoverage]) -> None:
    articles = chunk_articles(chunks.values())
    labels: dict[str, list[str]] = defaultdict(list)  # doc -> its articles in order
    for chunk_id, parts in articles.items():
        doc = str(chunks[chunk_id].get("doc", "?"))
        labels[doc] += [label for label, _ in parts if label not in labels[doc]]
    bigrams = {chunk_id: [(label, shingles(part)) for label, part in parts] for chunk_id, parts in articles.items()}
    covered: set[tuple[str, str]] = set()
    for record in training:
        chunk = chunks.get(record.get("chunk_id"))
        if chunk is None or not bigrams.get(record["chunk_id"]):
            continue
        answer = shingles(record["answer"])
        label, shared = max(((label, len(answer & grams)) for label, grams in bigrams[record["chunk_id"]]),
                            key=lambda item: item[1])
        if answer and shared / len(answer) >= FROM_ARTICLE:
            covered.add((str(chunk.get("doc", "?")), label))
    for doc, names in labels.items():
        counted = out[doc]
        counted.articles = len(names)
        counted.articles_covered = sum((doc, name) in covered for name in names)
        counted.articles_uncovered = [name for name in names if (doc, name) not in covered]
