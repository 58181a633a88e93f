"""The one reader of record files: JSONL (one object a line), one JSON array of objects, or one object.

Every stage reads its inputs through it, so a bad record always stops the run with one line that
names the file and the line (`file:line`) or the array item (`file[item]`), and what to do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slm_recipes.core.errors import RecipeError


def read_records(path: str | Path, required: tuple[str, ...] = (), missing_hint: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(location, record) pairs in file order; blank lines are skipped.

    `required` names fields that must hold text; `missing_hint` says how to make a missing file.
    """
    path = Path(path)
    if not path.is_file():
        raise RecipeError(f"{path} does not exist" + (f"; {missing_hint}" if missing_hint else ""))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise RecipeError(f"{path}: not UTF-8 text (byte {err.start}); save it as UTF-8") from None
    records = _array(path, text) if text.lstrip().startswith("[") else _lines(path, text)
    for where, record in records:
        if not isinstance(record, dict):
            raise RecipeError(f"{where}: expected a JSON object, got {type(record).__name__}")
        missing = [name for name in required if not isinstance(record.get(name), str)]
        if missing:
            raise RecipeError(f"{where}: missing or non-text field(s) {', '.join(missing)}")
    return records


def _array(path: Path, text: str) -> list[tuple[str, Any]]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as err:
        raise RecipeError(f"{path}:{err.lineno}: not valid JSON ({err.msg}); fix the file") from None
    return [(f"{path}[{i}]", item) for i, item in enumerate(items)]


def _lines(path: Path, text: str) -> list[tuple[str, Any]]:
    records = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((f"{path}:{lineno}", json.loads(line)))
        except json.JSONDecodeError as err:
            if lineno == 1 and (record := _one_object(text)) is not None:
                return [(str(path), record)]  # one record, pretty-printed over several lines
            raise RecipeError(f"{path}:{lineno}: not valid JSON ({err.msg}); fix or remove the line") from None
    return records


def _one_object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
