"""The one reader of an `slm` command line: each flag paired with its value, then sorted into recipe files,
overrides of recipe keys, aliases (flags that stand for a recipe key) and the command's own options.

`--flag value`, `--flag=value` and a flag given alone (followed by another flag, or last) are all read here,
and nowhere else; the recipe's merge, the command parser and LightningCLI each get their part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from slm_recipes.core.errors import RecipeError

CONFIG_FLAGS = ("--config", "-c")
HELP_FLAGS = ("-h", "--help")
_NUMBER = re.compile(r"-\d")


@dataclass(frozen=True)
class Argument:
    """A flag with its value (None: given alone), or a positional word (`flag` None)."""

    flag: str | None
    value: str | None = None

    def words(self) -> list[str]:
        if self.flag is None:
            return [str(self.value)]
        return [self.flag] if self.value is None else [f"{self.flag}={self.value}"]


@dataclass(frozen=True)
class Alias:
    """A flag that sets a recipe key: to a fixed `value`, or to the flag's own value through `convert`."""

    key: str
    value: str | None = None
    convert: Callable[[str], str] | None = None
    help: str = ""

    def expand(self, flag: str, given: str | None) -> Argument:
        if self.value is not None:
            return Argument(f"--{self.key}", self.value)
        if given is None:
            raise RecipeError(f"{flag} needs a value ({self.help or '--' + self.key})")
        return Argument(f"--{self.key}", self.convert(given) if self.convert else given)


def tokenize(argv: Sequence[str], alone: Collection[str] = ()) -> list[Argument]:
    """`argv` as arguments; a flag in `alone` never takes the next word as its value."""
    out: list[Argument] = []
    args = list(argv)
    i = 0
    while i < len(args):
        word = args[i]
        if not word.startswith("-") or _NUMBER.match(word):
            out.append(Argument(None, word))
        elif "=" in word:
            flag, _, value = word.partition("=")
            out.append(Argument(flag, value))
        elif word in alone or i + 1 >= len(args) or (args[i + 1].startswith("-") and not _NUMBER.match(args[i + 1])):
            out.append(Argument(word))
        else:
            out.append(Argument(word, args[i + 1]))
            i += 1
        i += 1
    return out


@dataclass
class CommandLine:
    """A command line sorted: recipe files, `(dotted key, text)` overrides of the recipe, and the rest."""

    configs: list[str] = field(default_factory=list)
    overrides: list[tuple[str, str]] = field(default_factory=list)
    rest: list[Argument] = field(default_factory=list)

    @property
    def asks_help(self) -> bool:
        return any(a.flag in HELP_FLAGS for a in self.rest)

    def rest_words(self) -> list[str]:
        return [word for argument in self.rest for word in argument.words()]


def read_command_line(argv: Sequence[str], recipe_keys: Collection[str], aliases: Mapping[str, Alias] | None = None,
                      alone: Collection[str] = ()) -> CommandLine:
    """Sort `argv`: `--config` files, `--key value` whose first part is one of `recipe_keys` (after expanding
    `aliases`), and everything else in order (the command's options, LightningCLI's own, positionals).

    A `--key+=value` (LightningCLI's append to a list) stays with the rest, for LightningCLI itself."""
    aliases = aliases or {}
    fixed = {flag for flag, alias in aliases.items() if alias.value is not None}
    out = CommandLine()
    for argument in tokenize(argv, {*HELP_FLAGS, *fixed, *alone}):
        flag = argument.flag
        if flag in aliases:
            argument = aliases[flag].expand(flag, argument.value)
            flag = argument.flag
        if flag in CONFIG_FLAGS:
            if argument.value is None:
                raise RecipeError(f"{flag} needs a recipe file")
            out.configs.append(argument.value)
        elif flag and flag.startswith("--") and flag[2:].split(".")[0] in recipe_keys and not flag.endswith("+"):
            if argument.value is None:
                raise RecipeError(f"{flag} needs a value (--{flag[2:]} VALUE)")
            out.overrides.append((flag[2:], argument.value))
        else:
            out.rest.append(argument)
    return out
