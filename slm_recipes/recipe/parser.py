"""Read a recipe: its files (the bundled base first), their one merge with the command line, one parse.

Every command reads the command line with `read_recipe` (`recipe.arguments`: the one argv reader) and
the files and overrides merge once (`recipe.merge`). `slm fit` and `slm validate` hand the merged tree to
LightningCLI, which checks it in full (`training_arguments`); every other command parses the recipe's own
sections and the typed `data:` section with jsonargparse (`command_parser`), the same parser that prints
its `--help`, while `trainer` and `model` are checked by `slm fit` only: Lightning's classes cost seconds
that a command reading the recipe should not pay.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from jsonargparse import ActionConfigFile, ArgumentParser, Namespace

from slm_recipes.core.errors import RecipeError
from slm_recipes.datamodules.config import DataConfig
from slm_recipes.recipe.arguments import Alias, CommandLine, read_command_line
from slm_recipes.recipe.errors import explain_parse_error
from slm_recipes.recipe.files import TRAINING_SECTIONS, RecipeFile, recipe_files
from slm_recipes.recipe.merge import merged_tree
from slm_recipes.recipe.recipe import SECTIONS, Recipe, build_recipe, section
from slm_recipes.text.lexicon import DEFAULT_LEXICON

#: The top-level keys of a recipe.
RECIPE_KEYS = ("name", "lexicon", *SECTIONS, *TRAINING_SECTIONS)
DATAMODULE = "slm_recipes.datamodules.DistilledQADataModule"
LEXICON_HELP = ("The word lists of the documents' language and kind that the extractive teacher and the metrics use: "
                "a bundled lexicon (zh-policy: Chinese policy documents) or a YAML file with the same keys.")
NAME_HELP = "Run name: training under logs/<name>/<model>/, shipping under exports/<name>/, data under data/<name>/."


@dataclass(frozen=True)
class ReadRecipe:
    """A command line read: its recipe files, the merged tree and the rest of the arguments."""

    files: list[RecipeFile]
    tree: dict[str, Any]
    line: CommandLine

    @property
    def file_names(self) -> list[str]:
        return [str(f.path) for f in self.files]

    def explain(self, message: str) -> str:
        """A parse error as one line naming the recipe file and line, or the command line's flag."""
        return explain_parse_error(message, self.file_names, [key for key, _ in self.line.overrides])


def holds_text(keys: list[str]) -> bool:
    """The recipe key is typed as text (its command-line value is never read as YAML)."""
    if keys in (["name"], ["lexicon"]):
        return True
    if keys[0] in SECTIONS and len(keys) == 2:
        owner: Any = SECTIONS[keys[0]]
    elif keys[:2] == ["data", "init_args"] and len(keys) == 3:
        owner = DataConfig
    else:
        return False
    types = {f.name: str(f.type) for f in dataclasses.fields(owner)}
    return types.get(keys[-1]) in ("str", "str | None")


def read_recipe(argv: Sequence[str], aliases: Mapping[str, Alias] | None = None, alone: Collection[str] = ()
                ) -> ReadRecipe:
    """The recipe files of `argv` and their merge with its overrides (after expanding `aliases`)."""
    line = read_command_line(argv, RECIPE_KEYS, aliases, alone)
    files = recipe_files(line.configs)
    return ReadRecipe(files, merged_tree([f.content for f in files], line.overrides, holds_text), line)


def add_recipe_sections(parser: ArgumentParser) -> None:
    """`name` and the recipe's own sections; `slm fit` and every other command declare them this way."""
    parser.add_argument("--name", type=str, default="run", help=NAME_HELP)
    parser.add_argument("--lexicon", type=str, default=DEFAULT_LEXICON, help=LEXICON_HELP)
    for key, cls in SECTIONS.items():
        parser.add_class_arguments(cls, key)


def command_parser(add_options: Callable[[ArgumentParser], None] | None = None, recipe: bool = True,
                   **kwargs: Any) -> ArgumentParser:
    """jsonargparse over a command's own options, the recipe's sections and its `data:` section (`recipe` False: the
    options alone, for a command run without a recipe)."""
    parser = ArgumentParser(exit_on_error=False, **kwargs)
    parser.add_argument("-c", "--config", action=ActionConfigFile,
                        help="A recipe file (YAML); give several to layer them: a domain, a model size, an overlay. "
                             "Bundled recipes are found by name (demo.yaml).")
    if add_options is not None:
        add_options(parser)
    if not recipe:
        return parser
    add_recipe_sections(parser)
    parser.add_argument("--data.class_path", type=str | None, default=None,
                        help="The DataModule (the keys below are DistilledQADataModule's).")
    parser.add_class_arguments(DataConfig, "data.init_args")
    return parser


def parsed_part(tree: Mapping[str, Any]) -> dict[str, Any]:
    """What the command parser checks: every key but trainer, model and seed_everything (`slm fit` checks those),
    and the data section when it is our DataModule's."""
    part = {k: v for k, v in tree.items() if k not in TRAINING_SECTIONS}
    data = tree.get("data") or {}
    if data.get("class_path", DATAMODULE) == DATAMODULE:
        part["data"] = data
    return part


def parse_recipe(argv: Sequence[str], add_options: Callable[[ArgumentParser], None] | None = None,
                 aliases: Mapping[str, Alias] | None = None, alone: Collection[str] = (), **kwargs: Any
                 ) -> tuple[Recipe, Namespace]:
    """The Recipe of `argv` and the parsed namespace (a command's own options are in it)."""
    read = read_recipe(argv, aliases, alone)
    parser = command_parser(add_options, **kwargs)
    config_text = yaml.safe_dump(parsed_part(read.tree), allow_unicode=True, sort_keys=False)
    try:
        config = parser.parse_args(["--config", config_text, *read.line.rest_words()])
    except Exception as err:  # jsonargparse raises argparse.ArgumentError, or TypeError/ValueError from a check
        if isinstance(err, RecipeError):
            raise
        raise RecipeError(read.explain(str(err))) from None
    data = (read.tree.get("data") or {}).get("init_args") or {}
    known = {f.name for f in dataclasses.fields(DataConfig)}
    return recipe_from_config(config, _model_name(read.tree), {k: v for k, v in data.items() if k in known},
                              tuple(read.file_names)), config


def recipe_from_config(config: Namespace, model_name: Any, data: Mapping[str, Any], files: tuple[str, ...] = ()) -> Recipe:
    """The Recipe from a parsed namespace (the recipe sections), the model name and the data section's values."""
    sections = {key: section(key, _plain(config.get(key))) for key in SECTIONS}
    return build_recipe(config.get("name") or "run", model_name, DataConfig(**data), sections, files,
                        config.get("lexicon") or DEFAULT_LEXICON)


def load_recipe(argv: Sequence[str]) -> Recipe:
    """The recipe of a command line such as `--config recipes/demo.yaml --generation.temperature 0.7`."""
    return parse_recipe(argv)[0]


def training_arguments(argv: Sequence[str], subcommand: bool) -> tuple[ReadRecipe, list[str]]:
    """LightningCLI's arguments for `argv` (its subcommand first): the merged recipe as one `--config`, then its own
    options (`--ckpt_path`, `--print_config`, `--help`, ...), so its help and printed config show the recipe too."""
    at = 1 if subcommand and argv and not argv[0].startswith("-") else 0
    read = read_recipe(argv[at:])
    config = yaml.safe_dump(read.tree, allow_unicode=True, sort_keys=False)
    return read, [*argv[:at], "--config", config, *read.line.rest_words()]


def _model_name(tree: Mapping[str, Any]) -> Any:
    return ((tree.get("model") or {}).get("init_args") or {}).get("model_name")


def _plain(value: Any) -> Any:
    if isinstance(value, Namespace):
        return value.as_dict()
    return value
