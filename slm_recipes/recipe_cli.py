"""The recipe parser: LightningCLI with the base recipe first, linked arguments and run folders."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch.cli import LightningArgumentParser, LightningCLI
from lightning.pytorch.loggers import TensorBoardLogger

from datamodules import DistilledQADataModule
from modules import QLoRACausalLM
from slm_recipes.curate.config import CurateConfig
from slm_recipes.data_pipeline import DataStages
from slm_recipes.distill.config import DistillConfig
from slm_recipes.errors import RecipeError
from slm_recipes.evaluation.generation import GenerationSettings
from slm_recipes.export.config import ExportConfig
from slm_recipes.export.kquants import INSTALL_HINT
from slm_recipes.export.verify import llama_cpp_available
from slm_recipes.gguf_types import K_QUANTS
from slm_recipes.ingest.config import IngestConfig

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
        parser.add_class_arguments(DistillConfig, "distill")
        parser.add_class_arguments(CurateConfig, "curate")
        parser.add_dataclass_arguments(GenerationSettings, "generation")
        parser.add_class_arguments(ExportConfig, "export")
        parser.link_arguments("model.init_args.model_name", "data.init_args.model_name")
        parser.link_arguments("data.init_args.max_length", "model.init_args.max_length")
        # each stage reads what the previous one wrote: the paths are written once, where they are made
        parser.link_arguments("ingest.output", "distill.chunks")
        parser.link_arguments("ingest.output", "curate.chunks")
        parser.link_arguments("distill.output", "curate.distilled")
        # a full run makes its own dataset: the DataModule gets the stage sections to run in prepare_data
        parser.link_arguments(("ingest", "distill", "curate"), "data.init_args.stages", compute_fn=DataStages,
                              apply_on="instantiate")

    def before_instantiate_classes(self) -> None:
        config = self.config[self.subcommand] if self.subcommand else self.config
        if config.trainer.precision is None:
            config.trainer.precision = auto_precision(config.trainer.accelerator)

    def instantiate_trainer(self, **kwargs: Any):
        trainer = super().instantiate_trainer(**kwargs)
        config = self.config[self.subcommand] if self.subcommand else self.config
        if config.trainer.logger in (None, True):
            trainer.logger = TensorBoardLogger(LOG_ROOT, name=config.name, version=run_version(config))
        if self.subcommand == "fit" and config.export.merge_after_fit:
            trainer.callbacks.extend(export_callbacks(config, self.config_init[self.subcommand].generation))
        return trainer


def export_callbacks(config: Any, generation: Any) -> list[Any]:
    """MergeAdapter, then GGUFExport, from the recipe's `export:` section (run after the listed callbacks)."""
    from slm_recipes.callbacks.model_export import GGUFExport, MergeAdapter
    from slm_recipes.export.paths import merged_dir  # it reads this module's run folder names
    from slm_recipes.export.pipeline import gguf_settings

    export = config.export
    needs_llama_cpp = [t for t in export.gguf if t in K_QUANTS]
    if needs_llama_cpp and not llama_cpp_available():
        # said before training, not after hours of it
        raise RecipeError(f"export.gguf {needs_llama_cpp[0]} needs llama.cpp's quantizer: {INSTALL_HINT}; "
                          "or drop it from export.gguf (f16, q8_0, q5_0, q5_1, q4_0, q4_1 need nothing more)")
    merged = str(merged_dir(config))
    return [MergeAdapter(merged, export.merge_dtype, generation),
            GGUFExport(merged, list(export.gguf), gguf_settings(config), generation)]


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


def load_recipe(argv: Sequence[str]) -> SLMCLI:
    """Parse and instantiate a recipe without running anything (for the commands besides fit/validate).

    The model is built lazily (in `configure_model`), so this loads no weights.
    """
    return SLMCLI(args=argv, run=False, save_config_callback=None)
