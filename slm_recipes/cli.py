"""The `slm` command: LightningCLI for `fit` / `validate`, and the other stages on the same recipe."""

from __future__ import annotations

import os
import sys
import warnings
from argparse import ArgumentError
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch.cli import LightningArgumentParser, LightningCLI
from lightning.pytorch.loggers import TensorBoardLogger

from datamodules import DistilledQADataModule
from modules import QLoRACausalLM
from slm_recipes.errors import RecipeError
from slm_recipes.ingest import IngestConfig
from slm_recipes.recipe_errors import config_files_in, explain_parse_error

BASE_RECIPE = Path(__file__).resolve().parents[1] / "recipes" / "base.yaml"
LOG_ROOT = "logs"


class SLMCLI(LightningCLI):
    """Every recipe starts from `recipes/base.yaml`; later `--config` files and flags override it."""

    def __init__(self, args: Sequence[str], run: bool = True, **kwargs: Any) -> None:
        args = with_base_recipe(list(args), subcommand=run)
        parser_kwargs = {"exit_on_error": False, **{name: {"exit_on_error": False} for name in self.subcommands()}}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*args parameter is intended to run from within Python")
            super().__init__(
                QLoRACausalLM, DistilledQADataModule, subclass_mode_model=True, subclass_mode_data=True,
                args=args, run=run, parser_kwargs=parser_kwargs, auto_configure_optimizers=False,
                # the run folder is fixed (so `--ckpt_path last` finds it); config.yaml is the latest command's
                save_config_kwargs={"overwrite": True}, **kwargs,
            )

    @staticmethod
    def subcommands() -> dict[str, set[str]]:
        return {"fit": {"model", "train_dataloaders", "val_dataloaders", "datamodule"},
                "validate": {"model", "dataloaders", "datamodule"}}

    def add_arguments_to_parser(self, parser: LightningArgumentParser) -> None:
        parser.add_argument("--name", type=str, default="run",
                            help="Run name: TensorBoard and checkpoints go to logs/<name>/, exports to exports/<name>/.")
        parser.add_class_arguments(IngestConfig, "ingest")
        parser.link_arguments("model.init_args.model_name", "data.init_args.model_name")
        parser.link_arguments("data.init_args.max_length", "model.init_args.max_length")

    def before_instantiate_classes(self) -> None:
        config = self.config[self.subcommand] if self.subcommand else self.config
        if config.trainer.precision is None:
            config.trainer.precision = auto_precision(config.trainer.accelerator)

    def instantiate_trainer(self, **kwargs: Any):
        trainer = super().instantiate_trainer(**kwargs)
        config = self.config[self.subcommand] if self.subcommand else self.config
        if config.trainer.logger in (None, True):
            trainer.logger = TensorBoardLogger(LOG_ROOT, name=config.name, version=run_version(config))
        return trainer


def with_base_recipe(args: list[str], subcommand: bool) -> list[str]:
    """Put `recipes/base.yaml` first, so every recipe is a delta over it (help and print_config show it)."""
    if not BASE_RECIPE.is_file() or any(a in ("-h", "--help") for a in args[:1]):
        return args
    at = 1 if subcommand and args and not args[0].startswith("-") else 0
    return [*args[:at], "--config", str(BASE_RECIPE), *args[at:]]


def run_version(config: Any) -> str:
    """One folder per model under the run: logs/<name>/<model>/ (checkpoints, adapter, event files)."""
    return Path(config.model.init_args.model_name.rstrip("/")).name


def auto_precision(accelerator: str | Any) -> str:
    """bf16 mixed precision on GPUs that have it, fp16 on older GPUs, fp32 on CPU and MPS."""
    if accelerator in ("auto", "gpu", "cuda") and torch.cuda.is_available():
        return "bf16-mixed" if torch.cuda.is_bf16_supported() else "16-mixed"
    return "32-true"


def inspect_data_command(argv: list[str]) -> None:
    from slm_recipes.inspect_data import print_inspection

    count, rest = _take_option(argv, "--count", "3")
    cli = SLMCLI(args=rest, run=False)
    print_inspection(cli.datamodule, count=int(count))


def ingest_command(argv: list[str]) -> None:
    from rich.console import Console

    from slm_recipes.ingest import run_ingest
    from slm_recipes.tokenizers import load_tokenizer

    skip_bad = "--skip-bad" in argv
    cli = SLMCLI(args=[a for a in argv if a != "--skip-bad"], run=False)
    config = cli.config_init.ingest
    config.skip_bad = config.skip_bad or skip_bad
    tokenizer = load_tokenizer(config.tokenizer or cli.model.hparams.model_name)
    report = run_ingest(config, count_tokens=lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"]))
    Console().print(report.render())
    if report.failed:
        print(f"skipped {len(report.failed)} bad document(s): " + ", ".join(doc.path for doc in report.failed))


def _take_option(argv: list[str], flag: str, default: str) -> tuple[str, list[str]]:
    if flag in argv:
        i = argv.index(flag)
        return argv[i + 1], argv[:i] + argv[i + 2:]
    return default, argv


COMMANDS: dict[str, tuple[Callable[[list[str]], None], str]] = {
    "ingest": (ingest_command, "read the recipe's documents (PDF, TXT, MD) into chunks.jsonl; --skip-bad to go on past bad files"),
    "inspect-data": (inspect_data_command, "print rendered examples (trained vs masked tokens) and data statistics"),
}

OVERVIEW = """usage: slm COMMAND --config RECIPE.yaml [--config MORE.yaml] [--section.key value ...]

Turn your documents into a small local domain-expert chat model. Every command reads the same recipe.

commands:
  fit            fine-tune (LoRA / QLoRA) on the recipe's data; TensorBoard under logs/<name>/
  validate       validation loss of the base model, or of a checkpoint with --ckpt_path
{extra}
Run `slm COMMAND --help` for a command's options; `slm fit --config R --print_config` shows the resolved recipe.
"""


def cli_main(args: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if args is None else args)
    if not argv or argv[0] in ("-h", "--help"):
        extra = "".join(f"  {name:<14} {text}\n" for name, (_, text) in COMMANDS.items())
        print(OVERVIEW.format(extra=extra))
        return
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        if argv[0] in COMMANDS:
            COMMANDS[argv[0]][0](argv[1:])
        else:
            SLMCLI(args=argv)
    except ArgumentError as err:
        print(f"error: {explain_parse_error(str(err), config_files_in(argv))}", file=sys.stderr)
        raise SystemExit(2) from None
    except RecipeError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    cli_main()
