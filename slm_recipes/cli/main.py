"""The `slm` command: LightningCLI for `fit` / `validate`, and every other command declared once, below.

A command is a typed function of `slm_recipes.cli.commands` (see `slm_recipes.cli.command`); the
functions import their stages only when they run, so `slm --help`, `slm keys` and every
`slm COMMAND --help` start without loading torch or Lightning.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from slm_recipes.cli.command import Command, print_overview, run_command
from slm_recipes.cli.commands.data import curate, distill, index, ingest, inspect_data, review_export, review_import
from slm_recipes.cli.commands.evaluate import evaluate
from slm_recipes.cli.commands.export import export, gguf_list
from slm_recipes.cli.commands.keys import keys
from slm_recipes.cli.commands.talk import chat, predict, serve
from slm_recipes.cli.commands.ui import ui
from slm_recipes.core.errors import RecipeError, RunFailed, error_line
from slm_recipes.recipe.arguments import Alias

TRAINING = {
    "fit": "fine-tune (LoRA / QLoRA) on the recipe's data; TensorBoard under logs/<name>/<model>/",
    "validate": "validation loss and QA metrics of the base model, or of a checkpoint with --ckpt_path",
}
#: What answering reads: the model and its open book (`assembly.answering`).
ANSWERING = ("generation", "retrieval", "data", "model", "paths")
#: What the recipe's DataModule and data stages read (`assembly.data`).
DATA = ("data", "ingest", "distill", "curate", "retrieval", "model", "paths", "lexicon")
COMMANDS: dict[str, Command] = {
    "ingest": Command(ingest, reads=("ingest", "model", "paths"),
                      aliases={"--skip-bad": Alias("ingest.skip_bad", "true", help="ingest the readable documents, "
                                                   "list the bad ones")}),
    "distill": Command(distill, reads=("distill", "paths", "lexicon")),
    "curate": Command(curate, reads=("curate", "paths", "lexicon")),
    "index": Command(index, reads=tuple(part for part in DATA if part != "data")),
    "review export": Command(review_export, reads=("curate", "paths")),
    "review import": Command(review_import, reads=("paths",)),
    "inspect-data": Command(inspect_data, reads=DATA),
    "keys": Command(keys, reads=("distill", "paths"), recipe_optional=True),
    "chat": Command(chat, reads=ANSWERING),
    "predict": Command(predict, reads=ANSWERING),
    "serve": Command(serve, reads=("serve", *ANSWERING),
                     aliases={"--host": Alias("serve.host", help="address to bind (default 127.0.0.1)"),
                              "--port": Alias("serve.port", help="TCP port (default 8000)")}),
    "ui": Command(ui, reads=("everything",), passes_arguments=True,
                  aliases={"--host": Alias("ui.host", help="address to bind (default 127.0.0.1)"),
                           "--port": Alias("ui.port", help="TCP port (default 7860)")}),
    "export": Command(export, reads=("export", "generation", "data", "model", "paths", "lexicon"),
                      aliases={"--gguf": Alias("export.gguf", convert=gguf_list,
                                               help="GGUF types this time, comma-separated: q8_0,q4_k_m"),
                               "--no-verify": Alias("export.verify", "false", help="skip the verification")}),
    "eval": Command(evaluate, reads=("evaluation", *DATA)),
}


def cli_main(args: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if args is None else args)
    if not argv or argv[0] in ("-h", "--help"):
        print_overview({**TRAINING, **{name: command.summary for name, command in COMMANDS.items()}})
        return
    group = {name: command.summary for name, command in COMMANDS.items() if name.startswith(argv[0] + " ")}
    if group and argv[1:2] in ([], ["-h"], ["--help"]):  # `slm review --help`: the group's commands
        print_overview(group, usage=f"usage: slm {argv[0]} {'|'.join(n.split()[1] for n in group)} --config RECIPE.yaml")
        return
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        name, rest = command_of(argv)
        if name in TRAINING:
            run_training(argv)
        else:
            run_command(name, COMMANDS[name], rest)
    except RecipeError as err:
        print(error_line(err), file=sys.stderr)
        raise SystemExit(1 if isinstance(err, RunFailed) else 2) from None
    except OSError as err:
        where = f"{err.filename}: " if getattr(err, "filename", None) else ""
        print(error_line(f"{where}{err.strerror or err}"), file=sys.stderr)
        raise SystemExit(2) from None


def command_of(argv: list[str]) -> tuple[str, list[str]]:
    """The command named by the first word (or two: `review export`) and the arguments after it."""
    if argv[0] in TRAINING:
        return argv[0], argv[1:]
    two = " ".join(argv[:2])
    if two in COMMANDS:
        return two, argv[2:]
    if argv[0] in COMMANDS:
        return argv[0], argv[1:]
    group = [name for name in COMMANDS if name.startswith(argv[0] + " ")]
    if group:
        raise RecipeError(f"usage: slm {' | slm '.join(group)} (`slm {group[0]} --help` says more)")
    known = ", ".join([*TRAINING, *dict.fromkeys(name.split()[0] for name in COMMANDS)])
    raise RecipeError(f"unknown command {argv[0]!r}; the commands are {known} (`slm --help` says what each does)")


def run_training(argv: list[str]) -> None:
    """`slm fit` / `slm validate` through LightningCLI (parse errors are one line naming the recipe file)."""
    from slm_recipes.cli.training import SLMCLI

    SLMCLI(args=argv)

