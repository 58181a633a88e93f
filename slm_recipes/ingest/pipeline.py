"""The ingest stage end to end: sources → cleaned documents → chunks.jsonl, with a report."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from slm_recipes.core.atomic import AtomicJsonlWriter
from slm_recipes.core.errors import RecipeError
from slm_recipes.core.progress import Progress
from slm_recipes.core.run_lock import output_lock
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.ingest.chunk_ids import chunk_id
from slm_recipes.ingest.chunking import chunk_spans
from slm_recipes.ingest.config import IngestConfig
from slm_recipes.ingest.loading import load_document
from slm_recipes.ingest.report import DocReport, IngestReport
from slm_recipes.ingest.sources import resolve_sources

log = logging.getLogger(__name__)
_SENTENCE_ENDS = frozenset("。！？!?；;")


def _continues(text: str, start: int) -> bool:
    """The text before `start` ends inside a line with no sentence end: the chunk continues that sentence.
    Only the few characters before `start` are looked at (a search up to it would make ingest quadratic)."""
    before = text[max(0, start - 64):start].rstrip(" \t")
    return bool(before) and before[-1] not in _SENTENCE_ENDS and not before[-1].isspace()


def _ingest_one(path: Path, config: IngestConfig, count_tokens: Callable[[str], int], seen: dict[str, str],
                writer: AtomicJsonlWriter) -> DocReport:
    """Chunk one document into `writer`; `seen` maps content hashes to the first path that had them."""
    report = DocReport(path.as_posix())
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if sha in seen:
        report.warnings.append(f"same content as {seen[sha]}; skipped")
        return report
    seen[sha] = report.path
    loaded = load_document(path)
    report.pages, report.extractor, report.warnings = loaded.pages, loaded.extractor, loaded.warnings
    report.chars = len(loaded.text.text)
    log.info("%s: %d pages, %d chars, read with %s", report.path, report.pages, report.chars, report.extractor)
    for warning in loaded.warnings:
        log.warning("%s: %s", report.path, warning)
    key = config.chunking_key()
    for start, end in chunk_spans(loaded.text.text, count_tokens, config.chunk_tokens, config.overlap_tokens):
        first, last = loaded.text.pages_of(start, end)
        writer.write({
            "id": chunk_id(sha, key, (start, end)),
            "doc": report.path,
            "doc_sha256": sha,
            "pages": [first, last],
            "span": [start, end],
            "text": loaded.text.text[start:end],
            # a chunk that starts inside a sentence (a sentence longer than the budget was cut) says so
            "continues": _continues(loaded.text.text, start),
        })
        report.chunks += 1
    return report


def run_ingest(config: IngestConfig, paths: RunPaths, count_tokens: Callable[[str], int],
               show_progress: bool = True) -> IngestReport:
    """Read every source document and write its chunks to the run's chunks file.

    A bad document raises RecipeError naming it, unless `config.skip_bad`, in which case it is listed
    in the report and the rest are ingested. The output appears only when the whole run succeeded.
    """
    sources = resolve_sources(config.sources)
    report = IngestReport(str(paths.chunks))
    seen: dict[str, str] = {}
    with output_lock(paths.chunks), AtomicJsonlWriter(paths.chunks) as writer, \
            Progress("ingest", total=len(sources), unit="documents", enabled=show_progress) as bar:
        for path in sources:
            try:
                report.documents.append(_ingest_one(path, config, count_tokens, seen, writer))
            except RecipeError as exc:
                if not config.skip_bad:
                    raise
                log.warning("%s", exc)
                report.documents.append(DocReport(path.as_posix(), error=str(exc)))
            bar.advance(chunks=report.chunks)
        if report.chunks == 0:
            failed = "; ".join(doc.error for doc in report.failed if doc.error)
            raise RecipeError(f"ingest produced no chunks{': ' + failed if failed else ''}")
    return report
