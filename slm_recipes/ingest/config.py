"""The `ingest:` section of a recipe."""

from __future__ import annotations


class IngestConfig:
    """Settings of the ingest stage; jsonargparse exposes each parameter as `ingest.<name>`."""

    def __init__(
        self,
        sources: list[str] | None = None,
        output: str = "data/chunks.jsonl",
        chunk_tokens: int = 384,
        overlap_tokens: int = 32,
        skip_bad: bool = False,
        tokenizer: str | None = None,
    ) -> None:
        """Describe which documents to read and how to cut them into chunks.

        Args:
            sources: Files, folders (walked in sorted order, PDF/TXT/Markdown only) and glob patterns.
            output: Path of the chunks.jsonl file to write (atomically).
            chunk_tokens: Token budget of one chunk, measured with the tokenizer.
            overlap_tokens: Tokens of whole sentences repeated from the end of the previous chunk.
            skip_bad: Ingest the readable documents and list the bad ones instead of stopping at the first.
            tokenizer: Tokenizer that measures the budget; None means the model's.
        """
        self.sources = list(sources or [])
        self.output = output
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.skip_bad = skip_bad
        self.tokenizer = tokenizer

    def chunking_key(self) -> str:
        """The settings that change chunk boundaries; part of every chunk id."""
        return f"{self.chunk_tokens}/{self.overlap_tokens}/{self.tokenizer or 'model'}"
