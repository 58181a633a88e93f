"""Chunk records and the atomic chunks.jsonl writer."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False) builds one per call


def chunk_id(doc_sha256: str, chunking_key: str, span: tuple[int, int]) -> str:
    """Same document bytes, chunking settings and span give the same id, on any machine."""
    return hashlib.sha256(f"{doc_sha256}|{chunking_key}|{span[0]}:{span[1]}".encode()).hexdigest()[:16]


class AtomicJsonlWriter:
    """Writes records to a temp file beside `path` and moves it into place only on success,
    so an interrupted run never leaves a half-written file under the real name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def __enter__(self) -> AtomicJsonlWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self._tmp = Path(tmp)
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would make chunks.jsonl private to its writer
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self

    def write(self, record: dict) -> None:
        assert self._file is not None, "use AtomicJsonlWriter as a context manager"
        self._file.write(_ENCODE(record) + "\n")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self._file is not None
        try:
            if exc_type is None:
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            if exc_type is None:
                os.replace(self._tmp, self.path)
        finally:
            if self._tmp.exists():
                self._tmp.unlink()
