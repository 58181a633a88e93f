"""What ingest did, per document: for the console (rich table) and for machines (dict)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.table import Table


@dataclass
class DocReport:
    """One document: its size, how it was read, and what went wrong (`error` set means it was not ingested)."""

    path: str
    pages: int = 0
    chars: int = 0
    chunks: int = 0
    extractor: str = ""
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class IngestReport:
    """All documents of one run and the file the chunks went to."""

    output: str
    documents: list[DocReport] = field(default_factory=list)

    @property
    def chunks(self) -> int:
        return sum(doc.chunks for doc in self.documents)

    @property
    def failed(self) -> list[DocReport]:
        return [doc for doc in self.documents if doc.error]

    def render(self) -> Table:
        table = Table(title=f"ingest → {self.output} ({self.chunks} chunks)")
        for column in ("document", "pages", "chars", "chunks", "extractor", "notes"):
            table.add_column(column, justify="right" if column in ("pages", "chars", "chunks") else "left")
        for doc in self.documents:
            notes = f"[red]{doc.error}[/red]" if doc.error else "; ".join(doc.warnings)
            table.add_row(doc.path, str(doc.pages), str(doc.chars), str(doc.chunks), doc.extractor, notes)
        return table
