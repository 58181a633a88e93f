"""Reading chunks.jsonl and distilled.jsonl: a bad line stops the run with one line naming file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.jsonl import read_records

QA_FIELDS = ("id", "question", "answer", "chunk_id")
CHUNK_FIELDS = ("id", "text")


def read_chunks(path: str | Path) -> dict[str, dict[str, Any]]:
    return {chunk["id"]: chunk for _, chunk in read_records(path, CHUNK_FIELDS, "run `slm ingest --config R` first")}


def read_pairs(path: str | Path) -> list[dict[str, Any]]:
    """QA pairs in file order; a repeated id is an error (reviews and splits join on it)."""
    pairs: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for where, record in read_records(path, QA_FIELDS, "run `slm distill --config R` first"):
        if record["id"] in seen:
            raise RecipeError(f"{where}: id {record['id']!r} repeats {seen[record['id']]}")
        seen[record["id"]] = where.replace(f"{path}:", "line ").replace(f"{path}[", "item ").rstrip("]")
        pairs.append(record)
    return pairs
