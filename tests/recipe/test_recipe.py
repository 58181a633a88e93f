"""The Recipe: the run's paths from RunPaths and the placements the recipe gives, frozen sections."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from slm_recipes.datamodules.config import DataConfig

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.recipe import SECTIONS, build_recipe, section

REPO = Path(__file__).resolve().parents[2]


def sections(**values):
    return {key: section(key, values.get(key)) for key in SECTIONS}


def test_unset_stage_paths_go_under_the_run_name_and_the_sections_keep_only_what_the_recipe_says():
    recipe = build_recipe("rules", "Qwen/Qwen2.5-0.5B-Instruct", DataConfig(system_prompt="你好"), sections())
    paths = recipe.paths
    assert (paths.chunks, paths.distilled) == (Path("data/rules/chunks.jsonl"), Path("data/rules/distilled.jsonl"))
    assert paths.dataset_dir == Path("data/rules/dataset") and paths.distill_cache_dir == Path("data/rules/cache/distill")
    assert recipe.ingest.output is recipe.distill.output is recipe.curate.output_dir is recipe.retrieval.index is None
    assert recipe.model_name == "Qwen/Qwen2.5-0.5B-Instruct" and recipe.system_prompt == "你好"
    assert recipe.paths.adapter_dir == Path("logs/rules/Qwen2.5-0.5B-Instruct/adapter")


def test_placed_paths_are_kept_and_export_output_dir_moves_the_reports():
    recipe = build_recipe("r", "m", DataConfig(), sections(ingest={"output": "/d/c.jsonl"},
                                                                  export={"output_dir": "/ship"}))
    assert recipe.paths.chunks == Path("/d/c.jsonl") and recipe.paths.index.folder == Path("/d/index")
    assert recipe.paths.eval.folder == Path("/ship/eval") and recipe.ingest.output == "/d/c.jsonl"


def test_the_recipe_and_its_sections_are_frozen_and_check_themselves():
    recipe = build_recipe("r", "m", DataConfig(), sections())
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.name = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.data.max_length = 1
    with pytest.raises(RecipeError, match="evaluation.every_n_epochs must be 0"):
        section("evaluation", {"every_n_epochs": -1})
    with pytest.raises(RecipeError, match="generation.top_p must be in"):
        section("generation", {"top_p": 0})
    with pytest.raises(RecipeError, match="required key 'model_name'"):
        build_recipe("r", None, DataConfig(), sections())


def test_a_recipe_with_sources_and_no_train_file_trains_on_its_own_dataset_under_its_name():
    from slm_recipes.recipe.parser import load_recipe

    recipe = load_recipe(["--config", "demo.yaml", "--name", "mine"])
    assert (recipe.train_file, recipe.val_file) == ("data/mine/dataset/train.jsonl", "data/mine/dataset/val.jsonl")
    assert recipe.paths.index.folder == Path("data/mine/index") and recipe.paths.chunks == Path("data/mine/chunks.jsonl")
    assert recipe.open_book
    given = load_recipe(["--config", "demo.yaml", "--data.train_file", "my.jsonl", "--data.context", "none"])
    assert given.train_file == "my.jsonl" and given.val_file is None and not given.open_book
