"""Reading a recipe without Lightning: the merged tree parsed once, typed sections, one line for a bad key."""

from __future__ import annotations

from pathlib import Path

import pytest
from slm_recipes.datamodules.config import DataConfig

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.parser import load_recipe, training_arguments

REPO = Path(__file__).resolve().parents[2]
DEMO = ["--config", str(REPO / "recipes/demo.yaml")]


def test_the_data_section_is_typed_and_frozen():
    recipe = load_recipe([*DEMO, "--data.max_length", "256"])
    assert isinstance(recipe.data, DataConfig) and recipe.data.max_length == 256 and recipe.data.context == "raft"
    assert recipe.model_name == "HuggingFaceTB/SmolLM2-135M-Instruct"


def test_a_bad_data_key_names_the_file_and_line_and_a_bad_override_the_flag(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("data:\n  init_args:\n    max_lenght: 8\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=rf"{bad}:3: unknown key 'max_lenght' in data.init_args"):
        load_recipe([*DEMO, "--config", str(bad)])
    with pytest.raises(RecipeError, match=r"--data.max_length \(command line\): data.init_args.max_length: expected an "
                                          r"integer, got 'many'"):
        load_recipe([*DEMO, "--data.max_length", "many"])


def test_lightning_gets_the_merged_recipe_as_one_config_and_its_own_options():
    read, args = training_arguments(["fit", *DEMO, "--trainer.max_steps", "4", "--ckpt_path", "last"], subcommand=True)
    assert args[0] == "fit" and args[1] == "--config" and args[3:] == ["--ckpt_path=last"]
    assert read.tree["trainer"]["max_steps"] == 4 and read.file_names[-1].endswith("demo.yaml")
