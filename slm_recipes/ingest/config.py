"""The `ingest:` section of a recipe."""

from __future__ import annotations

from dataclasses import dataclass, field

from slm_recipes.core.errors import RecipeError


@dataclass(frozen=True)
class IngestConfig:
    """Which documents to read and how to cut them into chunks.

    Args:
        sources: Files, folders (walked in sorted order, PDF/TXT/Markdown only) and glob patterns.
        output: The chunks.jsonl to write (atomically); default data/<name>/chunks.jsonl.
        chunk_tokens: Token budget of one chunk, measured with the tokenizer.
        overlap_tokens: Tokens of whole sentences repeated from the end of the previous chunk.
        skip_bad: Ingest the readable documents and list the bad ones instead of stopping at the first
            (`slm ingest --skip-bad` sets it for one run).
        tokenizer: Tokenizer that measures the budget; default the model's (`model.init_args.model_name`).
    """

    sources: list[str] = field(default_factory=list)
    output: str | None = None
    chunk_tokens: int = 384
    overlap_tokens: int = 32
    skip_bad: bool = False
    tokenizer: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", list(self.sources or []))
        if self.chunk_tokens < 1:
            raise RecipeError(f"ingest.chunk_tokens must be at least 1, got {self.chunk_tokens}")
        if self.overlap_tokens < 0 or self.overlap_tokens >= self.chunk_tokens:
            raise RecipeError(f"ingest.overlap_tokens must be ≥ 0 and below chunk_tokens ({self.chunk_tokens}), "
                              f"got {self.overlap_tokens}")

    def chunking_key(self) -> str:
        """The settings that change chunk boundaries; part of every chunk id."""
        return f"{self.chunk_tokens}/{self.overlap_tokens}/{self.tokenizer or 'model'}"
