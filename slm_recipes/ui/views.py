"""What the page shows of the run's files: documents and chunks, distilled pairs, the curate report, evaluation.

Each reads the files the CLI writes (chunks.jsonl, distilled.jsonl, report.json, the evaluation's
JSON lines) and returns rows for a table; a file not made yet gives no rows, a damaged one a line
that names it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

PREVIEW_ROWS = 200
_READ: dict[tuple[Path, Callable], tuple[tuple[int, int], Any]] = {}


def when_changed(path: Path, read: Callable[[Path], Any]) -> Any:
    """`read(path)`, done again only when the file's size or time has changed: the page asks every second, and the
    files (chunks, pairs, report, event files) change only while a stage writes them. A missing file is read each
    time (the reader says what it gives then)."""
    try:
        stat = path.stat()
    except OSError:
        return read(path)
    key, version = (path, read), (stat.st_size, stat.st_mtime_ns)
    seen = _READ.get(key)
    if seen is None or seen[0] != version:
        _READ[key] = seen = (version, read(path))
    return seen[1]


def read_report(path: Path) -> dict[str, Any]:
    """The curate report.json ({} before the first curate)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def read_preview(path: Path) -> list[dict[str, Any]]:
    return read_jsonl(path, PREVIEW_ROWS)


def read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The records of `path` (none if it does not exist yet); a bad line raises ValueError naming file:line."""
    if not path.is_file():
        return []
    out = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: not JSON ({err.msg})") from None
            if limit is not None and len(out) >= limit:
                break
    return out


def documents(chunks: list[dict[str, Any]]) -> list[list[Any]]:
    """Per document: its chunks, its pages and its characters."""
    by_doc: dict[str, dict[str, Any]] = {}
    for chunk in chunks:
        doc = by_doc.setdefault(chunk.get("doc", "?"), {"chunks": 0, "pages": set(), "characters": 0})
        doc["chunks"] += 1
        first, last = (chunk.get("pages") or [0, 0])[:2]
        doc["pages"].update(range(first, last + 1))
        doc["characters"] += len(chunk.get("text", ""))
    return [[name, d["chunks"], len(d["pages"] - {0}), d["characters"]] for name, d in sorted(by_doc.items())]


def search_chunks(chunks: list[dict[str, Any]], text: str) -> list[list[Any]]:
    """Chunks whose text holds `text` (all of them for an empty search), at most PREVIEW_ROWS."""
    text = text.strip()
    hits = [c for c in chunks if text in c.get("text", "")] if text else chunks
    return [[c.get("id", ""), Path(c.get("doc", "")).name, _pages(c), c.get("text", "")] for c in hits[:PREVIEW_ROWS]]


def distilled_preview(records: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r.get("question", ""), r.get("answer", ""), r.get("stage", ""), Path(r.get("doc", "")).name, _pages(r)]
            for r in records[:PREVIEW_ROWS]]


def report_summary(report: dict[str, Any]) -> str:
    """The curate report's head figures, one paragraph of Markdown."""
    if not report:
        return "No curate report yet: run Curate."
    share = report.get("numeric_share")
    lines = [f"**{report.get('kept', 0)} kept**, {report.get('rejected', 0)} rejected of {report.get('total', 0)}; "
             f"numeric share {share:.0%}" if isinstance(share, float) else "",
             "splits: " + ", ".join(f"{k} {v}" for k, v in (report.get("splits") or {}).items())]
    lines += [f"warning: {w}" for w in report.get("warnings") or []]
    return "\n\n".join(line for line in lines if line)


def rejection_rows(report: dict[str, Any]) -> list[list[Any]]:
    return [[reason, count] for reason, count in Counter(report.get("reasons") or {}).most_common()]


def histogram_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The score histogram (pairs per band of ten points: 0-9, ..., 90-100) as chart rows."""
    counts = report.get("score_histogram") or []
    return [{"score": f"{10 * n}-{10 * n + 9 if n < 9 else 100}", "pairs": count} for n, count in enumerate(counts)]


def evaluation_rows(records: list[dict[str, Any]]) -> list[list[Any]]:
    """Failing questions first, each with what it was missing and the passages it was shown."""
    ordered = sorted(records, key=lambda r: bool(r.get("passed")))
    return [["pass" if r.get("passed") else "FAIL", r.get("question", ""), r.get("answer", ""), r.get("reference", ""),
             " ".join(r.get("missing_numbers") or []), " ".join(r.get("invented_numbers") or []),
             " | ".join(_source(s) for s in r.get("passages") or r.get("sources") or [])] for r in ordered]


def _source(passage: dict[str, Any]) -> str:
    if "text" not in passage:  # the evaluation names a passage by id and place
        return f"{passage.get('source', '')} ({passage.get('passage', '')})"
    first, last = (passage.get("pages") or [0, 0])[:2]
    where = f"p.{first}" if first == last else f"pp.{first}-{last}"
    return f"{Path(passage.get('doc', '')).name} {where}: {passage.get('text', '')[:60]}"


def _pages(record: dict[str, Any]) -> str:
    first, last = (record.get("pages") or [0, 0])[:2]
    return str(first) if first == last else f"{first}-{last}"
