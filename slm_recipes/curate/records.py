"""Reading chunks.jsonl and distilled.jsonl: a bad line stops the run with one line naming file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from slm_recipes.errors import RecipeError

QA_FIELDS = ("id", "question", "answer", "chunk_id")
CHUNK_FIELDS = ("id", "text")


def read_jsonl(path: str | Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, JSON object), one a line, each with the `required` fields; blank lines are skipped."""
    path = Path(path)
    if not path.is_file():
        raise RecipeError(f"{path}: file not found")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise RecipeError(f"{path}:{number}: not valid JSON ({err.msg})") from None
            if not isinstance(record, dict):
                raise RecipeError(f"{path}:{number}: expected a JSON object")
            missing = [name for name in required if not isinstance(record.get(name), str)]
            if missing:
                raise RecipeError(f"{path}:{number}: missing or non-text field(s) {', '.join(missing)}")
            yield number, record


def read_chunks(path: str | Path) -> dict[str, dict[str, Any]]:
    return {chunk["id"]: chunk for _, chunk in read_jsonl(path, CHUNK_FIELDS)}


def read_pairs(path: str | Path) -> list[dict[str, Any]]:
    """QA pairs in file order; a repeated id is an error (reviews and splits join on it)."""
    pairs: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, record in read_jsonl(path, QA_FIELDS):
        if record["id"] in seen:
            raise RecipeError(f"{path}:{number}: id {record['id']!r} repeats line {seen[record['id']]}")
        seen[record["id"]] = number
        pairs.append(record)
    return pairs
