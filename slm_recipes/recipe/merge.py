"""The one merge of a recipe: its files in order, then the command line's overrides, into one tree.

The rules are LightningCLI's, written once for every command (`slm fit` hands the merged tree to
LightningCLI to check): mappings merge key by key and anything else, lists included, is replaced whole; a
mapping whose `class_path` names another class replaces the old one whole (its init_args belong to the old
class); `model: {x: 1}` means `model: {init_args: {x: 1}}` and so does `--model.x 1`; `modules.X` and
`datamodules.X` class paths name the installed packages.

An override's text is read as YAML (numbers, true/false, null, `[a, b]`, `{a: 1}`) unless the key is known
to hold text, and a value that only YAML's block syntax would make a mapping (`a: b`) stays text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import yaml

from slm_recipes.recipe.files import package_class_path

COMPONENTS = ("model", "data")
_CLASS_KEYS = ("class_path", "init_args", "dict_kwargs")


def merge(base: Any, update: Any) -> Any:
    """Mappings merge key by key; anything else (lists included) is replaced whole; another class replaces a class."""
    if isinstance(base, dict) and isinstance(update, dict):
        if "class_path" in update and base.get("class_path") not in (None, update["class_path"]):
            return update
        out = dict(base)
        for key, value in update.items():
            out[key] = merge(out.get(key), value)
        return out
    return update


def with_class_paths(value: Any) -> Any:
    """Every `class_path` in the tree naming the installed packages (`modules.X` -> `slm_recipes.modules.X`)."""
    if isinstance(value, dict):
        return {k: package_class_path(v) if k == "class_path" else with_class_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_class_paths(v) for v in value]
    return value


def _component(value: Any) -> Any:
    """`model: {model_name: x}` means `model: {init_args: {model_name: x}}`, as in LightningCLI."""
    if not isinstance(value, dict):
        return value
    init = {k: v for k, v in value.items() if k not in _CLASS_KEYS}
    out = {k: v for k, v in value.items() if k in _CLASS_KEYS}
    if init:
        out["init_args"] = merge(out.get("init_args") or {}, init)
    return out


def normalised(content: Mapping[str, Any]) -> dict[str, Any]:
    """A recipe file's content (or an override) in the merge's one form."""
    out = with_class_paths(dict(content))
    for key in COMPONENTS:
        if key in out:
            out[key] = _component(out[key])
    return out


def override_key(dotted: str) -> list[str]:
    """`model.lora_r` -> [model, init_args, lora_r]; other keys split at the dots."""
    keys = dotted.split(".")
    if keys[0] in COMPONENTS and len(keys) > 1 and keys[1] not in _CLASS_KEYS:
        keys = [keys[0], "init_args", *keys[1:]]
    return keys


def read_value(text: str, holds_text: bool = False) -> Any:
    """An override's value: YAML, or the text itself where the key holds text or YAML would invent a mapping."""
    if holds_text:
        return None if text in ("null", "~") else text
    try:
        value = yaml.safe_load(text) if text.strip() else text
    except yaml.YAMLError:
        return text
    if isinstance(value, dict) and not text.lstrip().startswith("{"):
        return text
    return value


def merged_tree(contents: Sequence[Mapping[str, Any]], overrides: Sequence[tuple[str, str]],
                holds_text: Callable[[list[str]], bool] = lambda keys: False) -> dict[str, Any]:
    """The files' contents in order, then each override (`holds_text(keys)`: that key is typed as text)."""
    tree: dict[str, Any] = {}
    for content in contents:
        tree = merge(tree, normalised(content))
    for dotted, text in overrides:
        keys = override_key(dotted)
        value: Any = read_value(text, holds_text(keys))
        if keys[-1] == "class_path":
            value = package_class_path(value)
        for key in reversed(keys):
            value = {key: value}
        tree = merge(tree, value)
    return tree
