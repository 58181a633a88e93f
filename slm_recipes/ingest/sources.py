"""Turn the recipe's `sources` (files, folders, globs) into a stable list of document paths."""

from __future__ import annotations

import glob
from pathlib import Path

from slm_recipes.core.errors import RecipeError

SUPPORTED_SUFFIXES = {".pdf": "pdf", ".txt": "text", ".md": "text", ".markdown": "text"}
_GLOB_CHARS = set("*?[")


def document_kind(path: Path) -> str | None:
    """'pdf', 'text', or None for a type we cannot read."""
    return SUPPORTED_SUFFIXES.get(path.suffix.lower())


def _walk(folder: Path) -> list[Path]:
    """Supported, non-hidden files under `folder`, sorted so every run sees the same order."""
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and document_kind(path) is not None:
            found.append(path)
    return sorted(found, key=lambda p: p.as_posix())


def resolve_sources(sources: list[str]) -> list[Path]:
    """Expand every source in order, without duplicates.

    A named file is taken whatever its type (a wrong type is reported per document);
    a folder yields only the types we read, so stray files in it do not fail the run.
    A source that matches nothing is a recipe error: a typo must not shrink the corpus silently.
    """
    if not sources:
        raise RecipeError("ingest.sources is empty: list the files, folders or glob patterns to read")
    paths: list[Path] = []
    seen: set[Path] = set()
    for source in sources:
        if _GLOB_CHARS & set(source):
            matches = sorted(glob.glob(source, recursive=True))
            found = []
            for match in matches:
                path = Path(match)
                found.extend(_walk(path) if path.is_dir() else [path])
        else:
            path = Path(source)
            if path.is_dir():
                found = _walk(path)
            elif path.exists():
                found = [path]
            else:
                raise RecipeError(f"{source}: no such file or folder (ingest.sources)")
        if not found:
            raise RecipeError(f"{source}: matches no PDF, TXT or Markdown file (ingest.sources)")
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                paths.append(path)
    return paths
