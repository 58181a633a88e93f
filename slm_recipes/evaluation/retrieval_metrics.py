"""How well the open book found and cited: where each question's gold passage ranked, recall@k, citations."""

from __future__ import annotations

from typing import Any

from slm_recipes.datamodules.questions import EvalQuestion
from slm_recipes.generation.answers import Generated
from slm_recipes.retrieval.gold import gold_passage
from slm_recipes.retrieval.open_book import OpenBook

RECALL_AT = (1, 3, 5)


def retrieval_row(open_book: OpenBook, question: EvalQuestion, answer: Generated) -> dict[str, Any]:
    """Where the question's gold passage ranks, what the prompt showed and which passage the answer cites."""
    gold = gold_passage(open_book.retriever.passages, question.reference, question.meta.get("chunk_id"))
    ranked = [h.passage.id for h in open_book.search(question.question, max(RECALL_AT))]
    cited = answer.cited
    return {"gold_passage": gold.id if gold else None,
            "gold_rank": ranked.index(gold.id) + 1 if gold and gold.id in ranked else None,
            "sources": [{"passage": p.id, "chunk_id": p.chunk_id, "source": p.source} for p in answer.passages],
            "cited": cited.id if cited else None, "answerable": answer.answerable}


def retrieval_metrics(rows: list[dict[str, Any]]) -> dict[str, float]:
    """recall@k of the gold passage, and citation correctness (the passage the answer cites is the gold one)."""
    scored = [r for r in rows if r["gold_passage"]]
    if not scored:
        return {}
    out = {f"retrieval/recall@{k}": sum(r["gold_rank"] is not None and r["gold_rank"] <= k for r in scored) / len(scored)
           for k in RECALL_AT}
    out["retrieval/citation"] = sum(r["cited"] == r["gold_passage"] for r in scored) / len(scored)
    return out
