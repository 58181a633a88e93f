"""One way to declare an `slm` command: a typed function `def name(recipe: Recipe, option: T = default)`.

Its docstring is the command's help (first line: the summary; `Args:` the options), its parameters
after `recipe` are its options (required ones positional), and `Command.reads` names the parts of the
recipe it reads (a test checks them against what the function and the procedures it calls use), whose
keys `--help` lists. A few flags are aliases of recipe keys (`--skip-bad` is `--ingest.skip_bad true`).
The parser that parses a command is the one that prints its help (`recipe.parser.command_parser`).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from jsonargparse import ArgumentParser

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.arguments import Alias, Argument, CommandLine, read_command_line, tokenize
from slm_recipes.recipe.parser import RECIPE_KEYS, command_parser, parse_recipe
from slm_recipes.recipe.recipe import SECTIONS

#: What a command may read besides the sections: `data` (data.init_args), `model` (model.init_args.model_name),
#: `paths` (the run's name, model and the sections' placements of its files).
PARTS = (*SECTIONS, "data", "model", "paths", "lexicon")
PART_HELP = {"model": "model.init_args.model_name (the model and its tokenizer)",
             "lexicon": "lexicon (the word lists of the documents' language)",
             "paths": "the run's paths: name, the model's folder name and the placements ingest.output, distill.output, "
                      "distill.cache_dir, curate.output_dir, curate.review_dir, curate.review_file, retrieval.index, "
                      "export.output_dir, ui.documents_dir"}
MORE_KEYS = ("Options may be written with dashes (--no-retrieval) or underscores; a true/false option given alone "
             "means true. Any other recipe key can be given as --section.key value (e.g. --generation.temperature 0.7); "
             "`slm fit --help` lists the training keys (trainer, model).")


@dataclass(frozen=True)
class Command:
    """A command of `slm`: its function, the parts of the recipe it reads, its aliases of recipe keys."""

    run: Callable[..., None]
    reads: tuple[str, ...] = ()
    aliases: dict[str, Alias] = field(default_factory=dict)
    #: Without `--config` the function gets `recipe=None` (e.g. `slm keys` on the environment alone).
    recipe_optional: bool = False
    #: The function also gets `arguments`: the recipe's own command-line arguments (--config files, overrides),
    #: to run other `slm` commands on the same recipe (`slm ui`).
    passes_arguments: bool = False

    def __post_init__(self) -> None:
        unknown = [part for part in self.reads if part not in PARTS and part != "everything"]
        if unknown:
            raise ValueError(f"{self.run.__name__} reads {unknown}, which no recipe has")

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.run) or "").splitlines()[0].rstrip(".")

    def options(self) -> list[str]:
        return [name for name in inspect.signature(self.run).parameters if name not in ("recipe", "arguments")]

    def add_options(self, parser: ArgumentParser) -> None:
        if self.options():
            parser.add_function_arguments(self.run, skip={"recipe", "arguments"}, as_positional=True, as_group=False)

    def normalised(self, argv: Sequence[str]) -> list[str]:
        """`argv` with the command's options in their one spelling (`--api-key` is `--api_key`) and a true/false
        option given alone set to true."""
        parameters = inspect.signature(self.run).parameters
        out: list[str] = []
        for argument in tokenize(argv):
            name = (argument.flag or "").removeprefix("--").replace("-", "_")
            if argument.flag and argument.flag.startswith("--") and name in self.options():
                value = argument.value
                if value is None and parameters[name].annotation in (bool, "bool"):
                    value = "true"
                argument = Argument(f"--{name}", value)
            out += argument.words()
        return out


def run_command(name: str, command: Command, argv: Sequence[str]) -> None:
    """Parse `argv` for `command` (its options and the recipe) and run it."""
    argv = command.normalised(argv)
    line = read_command_line(argv, RECIPE_KEYS, command.aliases)
    if line.asks_help:
        print(help_text(name, command))
        return
    options = command.options()
    if not line.configs:
        if not command.recipe_optional:
            raise RecipeError(f"slm {name} needs a recipe: --config RECIPE.yaml (see `slm {name} --help`)")
        config = _parse_options(command_parser(command.add_options, recipe=False, prog=f"slm {name}"), line.rest_words())
        command.run(None, **{key: config.get(key) for key in options})
        return
    recipe, config = parse_recipe(argv, command.add_options, command.aliases, prog=f"slm {name}")
    passed = {"arguments": recipe_arguments(line)} if command.passes_arguments else {}
    command.run(recipe, **passed, **{key: config.get(key) for key in options})


def recipe_arguments(line: CommandLine) -> list[str]:
    """The recipe's own part of a command line (its files and overrides, aliases expanded): what another `slm`
    command needs to read the same recipe (the page runs its jobs with it)."""
    return [*(word for config in line.configs for word in ("--config", config)),
            *(f"--{key}={value}" for key, value in line.overrides)]


def _parse_options(parser: ArgumentParser, argv: Sequence[str]):
    from slm_recipes.recipe.errors import explain_parse_error

    try:
        return parser.parse_args(list(argv))
    except Exception as err:  # jsonargparse's ArgumentError
        raise RecipeError(explain_parse_error(str(err), [])) from None


def help_text(name: str, command: Command) -> str:
    """The command's usage, its own options and aliases, and the keys of the recipe parts it reads: the help of the
    parser that parses it, showing the groups of what the command reads."""
    doc = inspect.getdoc(command.run) or ""
    summary, _, rest = doc.partition("\n")
    description = rest.split("\nArgs:")[0].strip()
    usage = f"slm {name} --config RECIPE.yaml [--config MORE.yaml] [options] [--section.key value ...]"
    parser = command_parser(command.add_options, prog=f"slm {name}", description=f"{summary}\n\n{description}".strip(),
                            epilog=MORE_KEYS, usage=usage)
    if command.aliases:
        group = parser.add_argument_group("aliases of recipe keys")
        for flag, alias in command.aliases.items():
            shape = {"action": "store_true"} if alias.value is not None else {"metavar": flag.lstrip("-").upper()}
            setting = f"--{alias.key} {alias.value}" if alias.value is not None else f"--{alias.key}"
            group.add_argument(flag, help=f"{alias.help} (alias of {setting})", **shape)
    reads = set(PARTS) if "everything" in command.reads else set(command.reads)
    shown = {f"{key}" for key in reads if key in SECTIONS} | ({"data.init_args"} if "data" in reads else set())
    other = [PART_HELP[p] for p in ("model", "lexicon", "paths") if p in reads]
    if other:
        parser.epilog = f"Also reads {'; '.join(other)}. {MORE_KEYS}"
    return _format_help(parser, shown, {key for key, part in (("name", "paths"), ("lexicon", "lexicon")) if part in reads})


def _format_help(parser: ArgumentParser, sections: set[str], keys: set[str]) -> str:
    """The parser's help with the keys of recipe sections not in `sections` left out (this parser is built for it)."""
    for group in parser._action_groups:  # noqa: SLF001 - argparse keeps a group's arguments here
        hidden = [a for a in group._group_actions if not _shown(a, sections, keys)]  # noqa: SLF001
        for action in hidden:
            action.help = argparse.SUPPRESS
        if hidden and len(hidden) == len(group._group_actions):  # noqa: SLF001
            group.description = None
    return parser.format_help()


def _shown(action: argparse.Action, sections: set[str], keys: set[str]) -> bool:
    flags = [s for s in action.option_strings if s.startswith("--")]
    if not flags:
        return True
    key = flags[0][2:]
    top = key.split(".")[0]
    if key in ("name", "lexicon"):
        return key in keys
    if top in SECTIONS:
        return top in sections
    if top == "data":
        return key.startswith("data.init_args") and "data.init_args" in sections
    return True


def print_overview(commands: dict[str, str], usage: str = "") -> None:
    """`slm --help` (or a group's, `slm review --help`): the commands with their summaries."""
    width = max(len(name) for name in commands) + 2
    lines = [usage or "usage: slm COMMAND --config RECIPE.yaml [--config MORE.yaml] [--section.key value ...]", "",
             "Turn your documents into a small local domain-expert chat model. Every command reads the same recipe.",
             "", "commands:"]
    lines += [f"  {name:<{width}} {summary}" for name, summary in commands.items()]
    lines += ["", "Run `slm COMMAND --help` for a command's options and the recipe sections it reads;",
              "`slm fit --config R --print_config` shows the resolved recipe."]
    print("\n".join(lines), file=sys.stdout)
