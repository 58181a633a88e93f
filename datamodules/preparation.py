"""What the DataModule asks of a full run's data preparation (ingest → distill → curate), typed without importing it."""

from __future__ import annotations

from typing import Any, Protocol

from slm_recipes.retrieval.open_book import OpenBook


class DataPreparation(Protocol):
    def produces(self, train_file: str) -> bool:
        """True when `train_file` is the preparation's output, so `ensure` makes it."""

    def ensure(self, model_name: str) -> None:
        """Bring the dataset up to date (rerunning only the stages whose inputs or settings changed)."""

    def ensure_index(self, model_name: str) -> None:
        """Bring the chunks and the retrieval index over them up to date (open-book training)."""

    def open_book(self, tokenizer: Any) -> OpenBook:
        """The retriever and prompt builder over the index, measuring passages with `tokenizer`."""
