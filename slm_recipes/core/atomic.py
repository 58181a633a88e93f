"""Write output files and folders so that a reader never sees a half-written one.

Everything is written beside its target under a hidden staging name and renamed over it only
when complete; on any failure the old file or folder stays as it was and the staging is removed.
An operating-system error (a read-only or full folder) names the target, not the staging file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from slm_recipes.core.run_paths import retired_dir, staging_dir, staging_file

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False) builds one per call


@contextmanager
def naming(path: str | Path) -> Iterator[None]:
    """Re-raise an OSError as one about `path` (what the user asked for), keeping its reason."""
    try:
        yield
    except OSError as err:
        if err.filename == str(path):
            raise
        raise OSError(err.errno, err.strerror or str(err), str(path)) from None


def write_dir_atomically(directory: str | Path, write: Callable[[Path], None]) -> Path:
    """Run `write` into a staging folder beside `directory`, then swap it in; on failure the old folder stays."""
    directory = Path(directory)
    staging, retired = staging_dir(directory), retired_dir(directory)
    with naming(directory):
        directory.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        try:
            write(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if directory.exists():
            os.replace(directory, retired)
        os.replace(staging, directory)
    shutil.rmtree(retired, ignore_errors=True)
    return directory


@contextmanager
def staged_file(path: str | Path) -> Iterator[Path]:
    """A staging path beside `path` for a writer that needs a file name (GGUF writers, llama.cpp's quantizer);
    renamed over `path` when the block ends without error, removed otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_file(path)
    staging.unlink(missing_ok=True)
    try:
        with naming(path):
            yield staging
            os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


class AtomicTextFile:
    """A text file opened for writing under a temp name beside `path`, moved into place only on success."""

    def __init__(self, path: str | Path, encoding: str = "utf-8", newline: str = "\n") -> None:
        self.path = Path(path)
        self.encoding = encoding
        self.newline = newline
        self._file: IO[str] | None = None
        self._tmp: Path | None = None

    def __enter__(self) -> IO[str]:
        with naming(self.path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self._tmp = Path(tmp)
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would make the output private to its writer
        self._file = os.fdopen(fd, "w", encoding=self.encoding, newline=self.newline)
        return self._file

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self._file is not None and self._tmp is not None
        try:
            with naming(self.path):
                if exc_type is None:
                    self._file.flush()
                    os.fsync(self._file.fileno())
                self._file.close()
                if exc_type is None:
                    os.replace(self._tmp, self.path)
        finally:
            if not self._file.closed:
                self._file.close()
            if self._tmp.exists():
                self._tmp.unlink()


def write_text_atomically(path: str | Path, text: str) -> None:
    """Write `text` to a temp file beside `path`, then rename it over `path`; on failure the old file stays."""
    with AtomicTextFile(path) as handle:
        handle.write(text)


class AtomicJsonlWriter:
    """One JSON object per line (UTF-8, `ensure_ascii=False`), written atomically as a whole file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._target = AtomicTextFile(self.path)
        self._file: IO[str] | None = None

    def __enter__(self) -> AtomicJsonlWriter:
        self._file = self._target.__enter__()
        return self

    def write(self, record: dict[str, Any]) -> None:
        assert self._file is not None, "use AtomicJsonlWriter as a context manager"
        with naming(self.path):
            self._file.write(_ENCODE(record) + "\n")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._target.__exit__(exc_type, exc, tb)


def write_jsonl_atomically(path: str | Path, records: list[dict[str, Any]]) -> None:
    with AtomicJsonlWriter(path) as writer:
        for record in records:
            writer.write(record)
