"""Turn jsonargparse's parse errors into one line that names the recipe file and line."""

from __future__ import annotations

import re
from pathlib import Path

UNKNOWN_OPTION = re.compile(r"does not accept option '([\w.]+)'|Option '(\w+)' is not accepted")
REQUIRED = re.compile(r"arguments are required: ([\w., ]+)|Key \"([\w.]+)\" is required")
PARSER_KEY = re.compile(r'Parser key "([\w.]+)"')


def explain_parse_error(message: str, config_files: list[str]) -> str:
    section = PARSER_KEY.search(message)
    where = f" in {section.group(1)}" if section else ""
    unknown = UNKNOWN_OPTION.search(message)
    if unknown:
        key = (unknown.group(1) or unknown.group(2)).split(".")[0 if unknown.group(1) else -1]
        location = _find_key(key, config_files)
        return f"{location}unknown key '{key}'{where}; check its spelling against `slm fit --help`"
    required = REQUIRED.search(message)
    if required:
        key = (required.group(1) or required.group(2)).strip()
        hint = " (add a model-size recipe, e.g. --config recipes/models/qwen2.5-0.5b.yaml)" if key == "model_name" else ""
        return f"the recipe does not set required key '{key}'{where}{hint}"
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    detail = [line for line in lines if line.startswith("- ") and "NoneType" not in line]
    return "; ".join(lines[:1] + detail[:2])


def _find_key(key: str, config_files: list[str]) -> str:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*:")
    for name in reversed(config_files):
        path = Path(name)
        if not path.is_file():
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.match(line):
                return f"{name}:{lineno}: "
    return ""


def config_files_in(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in ("--config", "-c")]
