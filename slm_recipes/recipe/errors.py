"""Turn jsonargparse's parse errors into one line that names the recipe file and line, and keeps the reason."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.files import TRAINING_SECTIONS, find_recipe
from slm_recipes.recipe.recipe import SECTIONS

UNKNOWN = [
    re.compile(r"Group '([\w.]+)' does not accept option '([\w.]+)'"),  # a key inside a section
    re.compile(r"does not accept option '([\w.]+)'"),
    re.compile(r"Option '([\w.]+)' is not accepted"),  # a top-level key, or a key of a class's init_args
    re.compile(r"unrecognized arguments: --([\w.-]+)"),  # given on the command line
]
REQUIRED = re.compile(r"arguments are required: ([\w., ]+)|Key \"([\w.]+)\" is required")
PARSER_KEY = re.compile(r'Parser key "([\w.]+)"')
EXPECTED = re.compile(r"Expected an? (?:<class '(\w+)'>|([^.]+?))\. Got value: (.*)")
SIZE_HINT = " (add a model-size recipe, e.g. --config recipes/models/qwen2.5-0.5b.yaml)"
SPELLING = "check its spelling against `slm fit --help`"
DEEPSPEED_HINT = "DeepSpeed is not installed: pip install 'slm-recipes[deepspeed]' (CUDA GPUs), or use another strategy"
MISSING_PACKAGES = {"must have DeepSpeed installed": ("trainer.strategy", DEEPSPEED_HINT)}
TOP_LEVEL_KEYS = {"name", "lexicon", "config", *SECTIONS, *TRAINING_SECTIONS}


def missing_package(message: str) -> tuple[str, str] | None:
    """(recipe key, what to do) when a class the recipe names says its package is not installed."""
    return next((found for needle, found in MISSING_PACKAGES.items() if needle in message), None)


def explain_parse_error(message: str, config_files: list[str], overridden: Sequence[str] = ()) -> str:
    """One line for jsonargparse's `message`: the key, where it is set (`file:line`, or the command line's flag for
    a key in `overridden`) and what to do."""
    def locate(key: str) -> str:
        return located(key, config_files, overridden)

    missing = missing_package(message)
    if missing:
        key, advice = missing
        location = locate(key)
        return f"{location + ': ' if location else ''}{key}: {advice}"
    section = PARSER_KEY.search(message)
    where = f" in {section.group(1)}" if section else ""
    unknown = _unknown_key(message, section.group(1) if section else "")
    if unknown:
        location = locate(unknown)
        if location:
            parent, _, key = unknown.rpartition(".")
            return f"{location}: unknown key '{key}' in {parent or 'the recipe'}; {SPELLING}"
        return f"unknown key '{unknown}'{where}; {SPELLING}"
    required = REQUIRED.search(message)
    if required:
        key = (required.group(1) or required.group(2)).strip()
        hint = SIZE_HINT if key.split(".")[-1] == "model_name" else ""
        return f"the recipe does not set required key '{key}'{where}{hint}"
    expected = EXPECTED.search(message)
    if section and expected:
        kind = expected.group(1) or expected.group(2)
        location = locate(section.group(1))
        got = expected.group(3).strip()
        return f"{location + ': ' if location else ''}{section.group(1)}: expected {_kind(kind)}, got {got!r}"
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    detail = [line.lstrip("- ") for line in lines[1:] if "NoneType" not in line]
    return "; ".join(lines[:1] + detail[:3])


def _unknown_key(message: str, section: str) -> str | None:
    for pattern in UNKNOWN:
        match = pattern.search(message)
        if not match:
            continue
        key = f"{match.group(1)}.{match.group(2)}" if pattern.groups == 2 else match.group(1)
        if section and not key.startswith(section + "."):  # a class's init_args key, under its section
            key = f"{section}.{key}"
        top = key.split(".")[0]
        return key if top in TOP_LEVEL_KEYS else top  # a misspelt section: name the section
    return None


def _kind(name: str) -> str:
    return {"int": "an integer", "float": "a number", "bool": "true or false", "list": "a list ([a, b])",
            "str": "text", "dict": "a mapping"}.get(name, name)


def located(dotted: str, config_files: list[str], overridden: Sequence[str] = ()) -> str:
    """`--key (command line)` when the command line sets `dotted`, else `file:line` of the last recipe file that
    sets it (a.b.c, init_args steps optional), or ""."""
    wanted = [k for k in dotted.split(".") if k != "init_args"]
    for key in reversed(overridden):
        if [k for k in key.split(".") if k != "init_args"] == wanted:
            return f"--{key} (command line)"
    for name in reversed(config_files):
        try:
            path = find_recipe(name)
        except RecipeError:
            continue
        line = _line_of(path, wanted)
        if line:
            return f"{name}:{line}"
    return ""


def _line_of(path: Path, wanted: list[str]) -> int | None:
    """The line where the nested key `wanted` is set, following YAML indentation (init_args levels skipped)."""
    stack: list[tuple[int, str]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.match(r"^(\s*)([\w.-]+)\s*:", raw)
        if not match or raw.lstrip().startswith("#"):
            continue
        indent, key = len(match.group(1)), match.group(2)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        keys = [k for _, k in stack if k != "init_args"]
        if keys == wanted:
            return number
    return None
