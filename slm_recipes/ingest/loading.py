"""One document file → cleaned text with pages, whatever its type; a file we cannot use raises RecipeError."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from slm_recipes.core.errors import RecipeError
from slm_recipes.ingest.cleaning import join_lines
from slm_recipes.ingest.columns import split_columns
from slm_recipes.ingest.document import DocumentText
from slm_recipes.ingest.layout import merge_table_rows, remove_running_lines, to_source_lines
from slm_recipes.ingest.pdf_text import extract_pdf
from slm_recipes.ingest.sources import SUPPORTED_SUFFIXES, document_kind
from slm_recipes.ingest.text_files import read_text_file

log = logging.getLogger(__name__)


@dataclass
class LoadedDocument:
    """Cleaned text plus what the report needs to say about how it was read."""

    text: DocumentText
    pages: int
    extractor: str
    warnings: list[str] = field(default_factory=list)


def _load_pdf(path: Path) -> LoadedDocument:
    extracted = extract_pdf(path)
    ordered = [[block for region in split_columns(blocks) for block in merge_table_rows(region)]
               for blocks in extracted.pages]
    pages, removed = remove_running_lines(ordered, extracted.heights)
    text = join_lines(to_source_lines(pages), len(pages))
    log.info("%s: removed %d header, footer and page-number lines", path, removed)
    if not text.text:
        raise RecipeError(f"{path}: only headers, footers or page numbers found; no body text")
    return LoadedDocument(text, len(pages), extracted.extractor, list(extracted.warnings))


def load_document(path: Path) -> LoadedDocument:
    """Read and clean one file, choosing the reader by its suffix."""
    kind = document_kind(path)
    if kind is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise RecipeError(f"{path}: unsupported file type {path.suffix or '(none)'!r}; ingest reads {supported}")
    if path.stat().st_size == 0:
        raise RecipeError(f"{path}: empty file")
    if kind == "pdf":
        return _load_pdf(path)
    text, encoding = read_text_file(path)
    return LoadedDocument(text, 1, f"text ({encoding})")
