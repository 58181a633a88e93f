"""`slm fit` and `slm validate`: LightningCLI over the recipe, with the base recipe first and the run's callbacks.

The recipe is read and merged as for every other command (`recipe.parser.training_arguments`: one
`--config` holding the merged tree); this parser declares the recipe sections as every command does
(`add_recipe_sections`), adds the training sections (trainer, model, data) and checks them in full.
From the parse it builds the same `Recipe` the other commands read, and from the recipe the
callbacks a recipe tunes by section rather than by list entry: the QA evaluation (`evaluation:`),
merging and GGUF export (`export:`), and plain progress lines when the output is not a terminal.
"""

from __future__ import annotations

import dataclasses
import warnings
from argparse import ArgumentError
from collections.abc import Sequence
from typing import Any

from jsonargparse import Namespace
from lightning.pytorch.cli import LightningArgumentParser, LightningCLI
from lightning.pytorch.loggers import TensorBoardLogger
from lightning.pytorch.utilities.exceptions import MisconfigurationException

from slm_recipes.assembly.callbacks import run_callbacks
from slm_recipes.assembly.data import recipe_stages
from slm_recipes.callbacks.qa_evaluation import QAEvaluation
from slm_recipes.core.devices import trainer_precision
from slm_recipes.core.errors import RecipeError
from slm_recipes.datamodules.config import DataConfig
from slm_recipes.datamodules.distilled_qa import DistilledQADataModule
from slm_recipes.modules.qlora_causal_lm import QLoRACausalLM
from slm_recipes.recipe.errors import missing_package
from slm_recipes.recipe.parser import add_recipe_sections, recipe_from_config, training_arguments
from slm_recipes.recipe.recipe import Recipe


class SLMCLI(LightningCLI):
    """Every recipe starts from the bundled `base.yaml`; later `--config` files and flags override it."""

    def __init__(self, args: Sequence[str], run: bool = True, **kwargs: Any) -> None:
        self.read, args = training_arguments(list(args), subcommand=run)
        self.recipe: Recipe | None = None
        parser_kwargs = {"exit_on_error": False, **{name: {"exit_on_error": False} for name in self.subcommands()}}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*args parameter is intended to run from within Python")
            try:
                super().__init__(
                    QLoRACausalLM, DistilledQADataModule, subclass_mode_model=True, subclass_mode_data=True,
                    args=args, run=run, parser_kwargs=parser_kwargs, auto_configure_optimizers=False,
                    # the run folder is fixed (so `--ckpt_path last` finds it); config.yaml is the latest command's
                    save_config_kwargs={"overwrite": True}, **kwargs,
                )
            except ArgumentError as err:  # the parse: one line naming the recipe file and line
                raise RecipeError(self.read.explain(str(err))) from None

    @staticmethod
    def subcommands() -> dict[str, set[str]]:
        return {"fit": {"model", "train_dataloaders", "val_dataloaders", "datamodule"},
                "validate": {"model", "dataloaders", "datamodule"}}

    def add_arguments_to_parser(self, parser: LightningArgumentParser) -> None:
        add_recipe_sections(parser)
        parser.link_arguments("model.init_args.model_name", "data.init_args.model_name")
        parser.link_arguments("data.init_args.max_length", "model.init_args.max_length")
        # a full run makes its own dataset: the DataModule gets the stages to run in prepare_data. The link's sources
        # are what the stages depend on; they are built from the recipe (those sections and the run's paths), which
        # `before_instantiate_classes` reads from this same parse.
        parser.link_arguments(("ingest", "distill", "curate", "retrieval"), "data.init_args.stages",
                              compute_fn=lambda *sections: recipe_stages(self.recipe), apply_on="instantiate")

    def _run_config(self) -> Namespace:
        return self.config[self.subcommand] if self.subcommand else self.config

    def before_instantiate_classes(self) -> None:
        config = self._run_config()
        if config.trainer.precision is None:
            config.trainer.precision = trainer_precision(config.trainer.accelerator)
        data = config.data.init_args.as_dict()
        known = {f.name for f in dataclasses.fields(DataConfig)}
        self.recipe = recipe_from_config(config, config.model.init_args.get("model_name"),
                                         {k: v for k, v in data.items() if k in known}, tuple(self.read.file_names))
        config.data.init_args.train_file = self.recipe.train_file  # the run's own dataset when the recipe names none
        config.data.init_args.val_file = self.recipe.val_file

    def instantiate_classes(self) -> None:
        try:
            super().instantiate_classes()
        except ValueError as err:  # a class the recipe names could not be built: one line if we know why
            if not missing_package(str(err)):
                raise
            raise RecipeError(self.read.explain(str(err))) from None

    def instantiate_trainer(self, **kwargs: Any):
        config = self._run_config()
        listed = list(self._get(self.config_init, "trainer").get("callbacks") or [])
        if any(isinstance(c, QAEvaluation) for c in listed):
            raise RecipeError("trainer.callbacks lists QAEvaluation; the QA evaluation is set in the recipe's "
                              "evaluation: section (remove it from the list)")
        callbacks = [*listed, *run_callbacks(self.recipe, self.subcommand, config.trainer.enable_progress_bar)]
        if config.trainer.logger in (None, True):
            paths = self.recipe.paths
            kwargs.setdefault("logger", TensorBoardLogger(str(paths.log_root), name=paths.name, version=paths.model_folder))
        try:
            return super().instantiate_trainer(callbacks=callbacks, **kwargs)
        except (ValueError, MisconfigurationException) as err:  # Lightning's word on devices, strategy, precision
            raise RecipeError(f"trainer: {str(err).splitlines()[0]}") from None


def load_training_cli(argv: Sequence[str]) -> SLMCLI:
    """Parse and instantiate a recipe for training without running anything (tests, benchmarks).

    The model is built lazily (in `configure_model`), so this loads no weights.
    """
    return SLMCLI(args=argv, run=False, save_config_callback=None)
