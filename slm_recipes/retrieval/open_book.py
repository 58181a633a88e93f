"""Retrieve for one question and build the prompt that shows the passages: at answer time and for RAFT training.

At answer time the passages are the retriever's top ones; a question whose best passage shares too
little with it (`min_score`) is not answered from a guess but with the `unanswerable` sentence.
For training (RAFT, Zhang et al. 2024) the prompt is built the same way for that very question, with
the gold passage put in place of the last one when the retriever misses it, or taken out (and the
answer made the `unanswerable` sentence) for a share of the examples, so the model learns to read,
and to say so when the passages do not hold the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slm_recipes.core.run_paths import RunPaths
from slm_recipes.retrieval.config import RetrievalConfig
from slm_recipes.retrieval.index import Hit, Retriever
from slm_recipes.retrieval.passages import Passage
from slm_recipes.retrieval.prompt import fit_budget, unanswerable_answer, with_passages

QUERY_CHARS = 1000  # a longer question is searched by its first characters (the prompt keeps it whole)


@dataclass(frozen=True)
class Reading:
    messages: list[dict[str, str]]  # the prompt: the last user turn shows the passages
    passages: list[Passage]
    answerable: bool  # False: no passage is relevant; the answer is `unanswerable`
    unanswerable: str


class OpenBook:
    """A retriever, the recipe's retrieval settings and the model's token counter (for the passage budget)."""

    def __init__(self, retriever: Retriever, count_tokens: Callable[[str], int]) -> None:
        self.retriever = retriever
        self.config = retriever.config
        self.count_tokens = count_tokens

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        return self.retriever.search(question[:QUERY_CHARS], k)

    def read(self, messages: list[dict[str, str]]) -> Reading:
        """The answer-time prompt for the conversation's last question."""
        question = last_question(messages)
        hits = self.search(question)
        sorry = unanswerable_answer(question, self.config.unanswerable)
        if not hits or hits[0].relevance < self.config.min_score:
            return Reading(messages, [], False, sorry)
        passages = fit_budget([h.passage for h in hits], self.config.passage_tokens, self.count_tokens)
        return Reading(with_passages(messages, passages), passages, True, sorry)

    def training_read(self, messages: list[dict[str, str]], gold: Passage | None, without_gold: bool) -> Reading:
        """The RAFT prompt: as `read` builds it, with the gold passage put in, or taken out when `without_gold`."""
        question = last_question(messages)
        k = self.config.top_k
        without_gold = without_gold and gold is not None  # nothing to take out: an ordinary example
        found = [h.passage for h in self.search(question, k + 1)]
        if without_gold:
            passages = [p for p in found if p.id != gold.id][:k]
        else:
            passages = found[:k]
            if gold is not None and gold not in passages:
                passages = [*passages[:k - 1], gold]
        passages = fit_budget(passages, self.config.passage_tokens, self.count_tokens,
                              keep=None if without_gold else gold)
        return Reading(with_passages(messages, passages), passages, not without_gold,
                       unanswerable_answer(question, self.config.unanswerable))


def open_book_over(config: RetrievalConfig, paths: RunPaths, tokenizer: Any) -> OpenBook:
    """The open book over the run's (up-to-date) index, measuring passages with `tokenizer`."""
    retriever = Retriever(config, paths)
    return OpenBook(retriever, lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"]))


def last_question(messages: list[dict[str, str]]) -> str:
    return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
