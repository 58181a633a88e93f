"""Read a recipe without Lightning: the same files, sections and links as `slm fit`, for every other command.

The recipe sections (`name`, `ingest`, `distill`, `curate`, `generation`, `export`, `evaluation`) are
declared once, in `add_recipe_sections`, and parsed by jsonargparse here and inside LightningCLI
alike. The training sections (`trainer`, `model`, `data`, ...) are only merged here, the way
LightningCLI merges them (mappings key by key, lists whole, `--model.x` meaning `model.init_args.x`),
because checking them needs Lightning's classes: several seconds that a command reading the
recipe should not pay. `slm fit` checks them in full.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from jsonargparse import ActionConfigFile, ArgumentParser, Namespace

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.errors import explain_parse_error
from slm_recipes.recipe.files import TRAINING_SECTIONS, package_class_path, recipe_files
from slm_recipes.recipe.recipe import SECTIONS, Recipe, build_recipe, section

CONFIG_FLAGS = ("--config", "-c")
_CLASS_KEYS = ("class_path", "init_args", "dict_kwargs")


def add_recipe_sections(parser: ArgumentParser) -> None:
    """The recipe's own sections; `slm fit` and every other command share this."""
    parser.add_argument("--name", type=str, default="run",
                        help="Run name: training under logs/<name>/<model>/, shipping under exports/<name>/, "
                             "data under data/<name>/.")
    for key, cls in SECTIONS.items():
        parser.add_dataclass_arguments(cls, key)


@dataclass
class SplitArguments:
    """A command line taken apart: recipe files, training-section overrides, and the rest for jsonargparse."""

    configs: list[str] = field(default_factory=list)
    training: list[tuple[str, Any]] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)


def split_arguments(argv: Sequence[str], training: Sequence[str] = TRAINING_SECTIONS) -> SplitArguments:
    """`--config` files, overrides of the `training` sections (parsed as YAML values), and the rest."""
    out = SplitArguments()
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        flag, eq, value = arg.partition("=")
        top = flag[2:].split(".")[0] if flag.startswith("--") else ""
        if flag in CONFIG_FLAGS or top in training:
            if not eq:
                if i + 1 >= len(args):
                    raise RecipeError(f"{flag} needs a value")
                value, i = args[i + 1], i + 1
            if flag in CONFIG_FLAGS:
                out.configs.append(value)
            else:
                out.training.append((flag[2:], yaml.safe_load(value) if value.strip() else value))
        else:
            out.rest.append(arg)
        i += 1
    return out


def merge(base: Any, update: Any) -> Any:
    """Mappings merge key by key; anything else (lists included) is replaced whole."""
    if isinstance(base, dict) and isinstance(update, dict):
        out = dict(base)
        for key, value in update.items():
            out[key] = merge(out.get(key), value)
        return out
    return update


def _component(value: Any) -> Any:
    """`model: {model_name: x}` means `model: {init_args: {model_name: x}}`, as in LightningCLI."""
    if not isinstance(value, dict):
        return value
    init = {k: v for k, v in value.items() if k not in _CLASS_KEYS}
    out = {k: v for k, v in value.items() if k in _CLASS_KEYS}
    if "class_path" in out:
        out["class_path"] = package_class_path(out["class_path"])
    if init:
        out["init_args"] = merge(out.get("init_args") or {}, init)
    return out


def training_sections(contents: Sequence[dict[str, Any]], overrides: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """The training sections merged over the files in order, then the command line's dotted keys."""
    tree: dict[str, Any] = {}
    for content in contents:
        part = {k: v for k, v in content.items() if k in TRAINING_SECTIONS}
        for key in ("model", "data"):
            if key in part:
                part[key] = _component(part[key])
        tree = merge(tree, part)
    for dotted, value in overrides:
        keys = dotted.split(".")
        if keys[0] in ("model", "data") and len(keys) > 1 and keys[1] not in _CLASS_KEYS:
            keys = [keys[0], "init_args", *keys[1:]]
        for key in reversed(keys):
            value = {key: value}
        tree = merge(tree, value)
    return tree


def recipe_parser(add_options: Callable[[ArgumentParser], None] | None = None, **kwargs: Any) -> ArgumentParser:
    """jsonargparse over the recipe sections, plus a command's own options."""
    parser = ArgumentParser(exit_on_error=False, **kwargs)
    parser.add_argument("-c", "--config", action=ActionConfigFile, help="A recipe file (YAML); give several to layer them.")
    if add_options is not None:
        add_options(parser)
    add_recipe_sections(parser)
    return parser


def parse_recipe(argv: Sequence[str], add_options: Callable[[ArgumentParser], None] | None = None,
                 **kwargs: Any) -> tuple[Recipe, Namespace]:
    """The Recipe of `argv` and the parsed namespace (a command's own options are in it)."""
    split = split_arguments(argv)
    files = recipe_files(split.configs)
    parser = recipe_parser(add_options, **kwargs)
    args = [a for f in files for a in ("--config", f.as_config_string(without=TRAINING_SECTIONS))] + split.rest
    try:
        config = parser.parse_args(args)
    except Exception as err:  # jsonargparse raises argparse.ArgumentError, or TypeError/ValueError from a check
        if isinstance(err, RecipeError):
            raise
        raise RecipeError(explain_parse_error(str(err), [str(f.path) for f in files])) from None
    training = training_sections([f.content for f in files], split.training)
    recipe = recipe_from_config(config, training, tuple(str(f.path) for f in files))
    return recipe, config


def recipe_from_config(config: Namespace, training: dict[str, Any], files: tuple[str, ...] = ()) -> Recipe:
    """The Recipe from a parsed namespace (the recipe sections) and the training sections as plain mappings."""
    sections = {key: section(key, _plain(config.get(key))) for key in SECTIONS}
    model = (training.get("model") or {}).get("init_args") or {}
    data = (training.get("data") or {}).get("init_args") or {}
    return build_recipe(config.get("name") or "run", model, data, sections, files)


def load_recipe(argv: Sequence[str]) -> Recipe:
    """The recipe of a command line such as `--config recipes/demo.yaml --generation.temperature 0.7`."""
    return parse_recipe(argv)[0]


def _plain(value: Any) -> Any:
    if isinstance(value, Namespace):
        return value.as_dict()
    return value
