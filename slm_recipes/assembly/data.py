"""A recipe's data: its preparation (ingest → distill → curate → index) and its DataModule, as `slm fit` builds them."""

from __future__ import annotations

import dataclasses
from typing import Any

from slm_recipes.assembly.stages import DataStages
from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.recipe import Recipe
from slm_recipes.text.lexicon import load_lexicon


def recipe_stages(recipe: Recipe) -> DataStages:
    """The recipe's data preparation on its run's paths."""
    return DataStages(recipe.ingest, recipe.distill, recipe.curate, recipe.retrieval, recipe.paths,
                      load_lexicon(recipe.lexicon))


def recipe_datamodule(recipe: Recipe) -> Any:
    """The recipe's DataModule (`data.init_args`), for commands that read its data without training."""
    from slm_recipes.datamodules.distilled_qa import DistilledQADataModule

    if not recipe.train_file:
        raise RecipeError("the recipe sets no data.init_args.train_file")
    arguments = {**dataclasses.asdict(recipe.data), "train_file": recipe.train_file, "val_file": recipe.val_file}
    return DistilledQADataModule(**arguments, model_name=recipe.model_name, stages=recipe_stages(recipe))
