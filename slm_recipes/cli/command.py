"""One way to declare an `slm` command: a typed function `def name(recipe: Recipe, option: T = default)`.

Its docstring is the command's help (first line: the summary; `Args:` the options), its parameters
after `recipe` are its options (required ones positional), and `Command.reads` names the recipe
sections it reads, which `--help` lists with their keys. A few flags are aliases of recipe keys
(`--skip-bad` is `--ingest.skip_bad true`); they are declared here too and listed in `--help`.
Every command also takes `--config` recipe files and any `--section.key value`.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from jsonargparse import ArgumentParser

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.parser import parse_recipe, split_arguments
from slm_recipes.recipe.recipe import SECTIONS

HELP_FLAGS = ("-h", "--help")
MORE_KEYS = ("Any other recipe key can be given as --section.key value (e.g. --generation.temperature 0.7); "
             "`slm fit --help` lists the training keys (trainer, model, data).")


@dataclass(frozen=True)
class Alias:
    """A flag that sets a recipe key: a fixed `value`, or the flag's own value through `convert`."""

    key: str
    value: str | None = None
    convert: Callable[[str], str] | None = None
    help: str = ""

    def expand(self, given: str | None) -> list[str]:
        if self.value is not None:
            return [f"--{self.key}={self.value}"]
        if given is None:
            raise RecipeError(f"--{self.key} needs a value")
        return [f"--{self.key}={self.convert(given) if self.convert else given}"]


@dataclass(frozen=True)
class Command:
    """A command of `slm`: its function, the recipe sections it reads, its aliases of recipe keys."""

    run: Callable[..., None]
    reads: tuple[str, ...] = ()
    aliases: dict[str, Alias] = field(default_factory=dict)
    #: Without `--config` the function gets `recipe=None` (e.g. `slm keys` on the environment alone).
    recipe_optional: bool = False
    #: The function also gets `arguments`: the recipe's own command-line arguments (--config files, overrides),
    #: to run other `slm` commands on the same recipe (`slm ui`).
    passes_arguments: bool = False

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.run) or "").splitlines()[0].rstrip(".")

    def options(self) -> list[str]:
        return [name for name in inspect.signature(self.run).parameters if name not in ("recipe", "arguments")]

    def add_options(self, parser: ArgumentParser) -> None:
        if self.options():
            parser.add_function_arguments(self.run, skip={"recipe", "arguments"}, as_positional=True, as_group=False)

    def expand_aliases(self, argv: Sequence[str]) -> list[str]:
        out: list[str] = []
        args = list(argv)
        i = 0
        while i < len(args):
            flag, eq, value = args[i].partition("=")
            alias = self.aliases.get(flag)
            if alias is None:
                out.append(args[i])
            elif alias.value is not None or eq:
                out += alias.expand(value if eq else None)
            else:
                if i + 1 >= len(args) or args[i + 1].startswith("--"):
                    raise RecipeError(f"{flag} needs a value ({alias.help})")
                out += alias.expand(args[i + 1])
                i += 1
            i += 1
        return out


def run_command(name: str, command: Command, argv: Sequence[str]) -> None:
    """Parse `argv` for `command` (its options and the recipe) and run it."""
    if any(arg in HELP_FLAGS for arg in argv):
        print(help_text(name, command))
        return
    argv = command.expand_aliases(argv)
    options = command.options()
    if command.recipe_optional and not split_arguments(argv).configs:
        parser = ArgumentParser(prog=f"slm {name}", exit_on_error=False)
        command.add_options(parser)
        config = _parse_options(parser, argv)
        command.run(None, **{key: config.get(key) for key in options})
        return
    if not split_arguments(argv).configs:
        raise RecipeError(f"slm {name} needs a recipe: --config RECIPE.yaml (see `slm {name} --help`)")
    recipe, config = parse_recipe(argv, command.add_options, prog=f"slm {name}")
    passed = {"arguments": list(argv)} if command.passes_arguments else {}
    command.run(recipe, **passed, **{key: config.get(key) for key in options})


def _parse_options(parser: ArgumentParser, argv: Sequence[str]):
    from slm_recipes.recipe.errors import explain_parse_error

    try:
        return parser.parse_args(list(argv))
    except Exception as err:  # jsonargparse's ArgumentError
        raise RecipeError(explain_parse_error(str(err), [])) from None


def help_text(name: str, command: Command) -> str:
    """The command's usage, its own options and aliases, and the keys of the recipe sections it reads."""
    doc = inspect.getdoc(command.run) or ""
    summary, _, rest = doc.partition("\n")
    description = rest.split("\nArgs:")[0].strip()
    parser = ArgumentParser(prog=f"slm {name}", description=f"{summary}\n\n{description}".strip(),
                            epilog=MORE_KEYS, exit_on_error=False)
    parser.add_argument("-c", "--config", help="A recipe file (YAML); give several to layer them: a domain, a model size, "
                        "an overlay. Bundled recipes are found by name (demo.yaml)."
                        + (" Optional for this command." if command.recipe_optional else ""))
    command.add_options(parser)
    for flag, alias in command.aliases.items():
        shape = {"action": "store_true"} if alias.value is not None else {"metavar": flag.lstrip("-").upper()}
        parser.add_argument(flag, help=f"{alias.help} (alias of --{alias.key}"
                            + (f" {alias.value})" if alias.value is not None else ")"), **shape)
    sections = [key for key in command.reads if key in SECTIONS]
    if "name" in command.reads:
        parser.add_argument("--name", help="Run name: the folders logs/<name>/, exports/<name>/, data/<name>/.")
    for key in sections:
        parser.add_dataclass_arguments(SECTIONS[key], key)
    other = [key for key in command.reads if key not in SECTIONS and key != "name"]
    if other:
        parser.epilog = f"Also reads {', '.join(other)} from the recipe. {MORE_KEYS}"
    return parser.format_help()


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
