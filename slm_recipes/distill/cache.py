"""Pay once: each chunk's teacher reply cached by content, and a journal that survives a kill at any moment."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from slm_recipes.core.atomic import write_text_atomically
from slm_recipes.core.run_paths import cache_entry


def unit_key(chunk_text: str, stage: str, system: str, user: str, temperature: float, teachers: Sequence[tuple[str, str]]) -> str:
    """Same chunk text, stage, prompts, teachers (name and model, in fallback order) and temperature: same key."""
    blob = json.dumps([chunk_text, stage, system, user, temperature, [list(t) for t in teachers]], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ReplyCache:
    """One JSON file per finished (chunk, stage), in the run's distill cache folder, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return cache_entry(self.folder, key)

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        write_text_atomically(self._path(key), json.dumps(entry, ensure_ascii=False))


class Journal:
    """The finished (chunk, stage) replies of an unfinished run, one JSON line each, flushed and synced per line.

    A line cut off by a kill is ignored on reading; the next run starts on a fresh line.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file = None

    def load(self) -> dict[str, dict[str, Any]]:
        entries: dict[str, dict[str, Any]] = {}
        if not self.path.exists():
            return entries
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and "key" in entry:
                entries[entry["key"]] = entry
        return entries

    def __enter__(self) -> Journal:  # noqa: PYI034 - typing.Self is 3.11+
        self.path.parent.mkdir(parents=True, exist_ok=True)
        torn = self.path.exists() and self.path.stat().st_size and not self.path.read_bytes().endswith(b"\n")
        self._file = open(self.path, "a", encoding="utf-8", newline="\n")
        if torn:
            self._file.write("\n")
        return self

    def append(self, entry: dict[str, Any]) -> None:
        assert self._file is not None, "use Journal as a context manager"
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
