"""The Recipe: unset stage paths from RunPaths, each stage's inputs from the stage before, frozen sections."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.recipe import SECTIONS, build_recipe, section

REPO = Path(__file__).resolve().parents[2]


def sections(**values):
    return {key: section(key, values.get(key)) for key in SECTIONS}


def test_unset_stage_paths_go_under_the_run_name_and_each_stage_reads_the_one_before():
    recipe = build_recipe("rules", {"model_name": "Qwen/Qwen2.5-0.5B-Instruct"}, {"system_prompt": "你好"}, sections())
    assert recipe.ingest.output == recipe.distill.chunks == recipe.curate.chunks == "data/rules/chunks.jsonl"
    assert recipe.distill.output == recipe.curate.distilled == "data/rules/distilled.jsonl"
    assert recipe.curate.output_dir == "data/rules/dataset" and recipe.distill.cache_dir == "data/rules/cache/distill"
    assert recipe.data["model_name"] == "Qwen/Qwen2.5-0.5B-Instruct" and recipe.system_prompt == "你好"
    assert recipe.paths.adapter_dir == Path("logs/rules/Qwen2.5-0.5B-Instruct/adapter")


def test_placed_paths_are_kept_and_export_output_dir_moves_the_reports():
    recipe = build_recipe("r", {"model_name": "m"}, {}, sections(ingest={"output": "/d/c.jsonl"},
                                                                  export={"output_dir": "/ship"}))
    assert recipe.distill.chunks == "/d/c.jsonl" and recipe.paths.eval_dir == Path("/ship/eval")


def test_the_recipe_and_its_sections_are_frozen_and_check_themselves():
    recipe = build_recipe("r", {"model_name": "m"}, {}, sections())
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.name = "other"
    with pytest.raises(TypeError):
        recipe.data["model_name"] = "other"
    with pytest.raises(RecipeError, match="evaluation.every_n_epochs must be 0"):
        section("evaluation", {"every_n_epochs": -1})
    with pytest.raises(RecipeError, match="generation.top_p must be in"):
        section("generation", {"top_p": 0})
    with pytest.raises(RecipeError, match="required key 'model_name'"):
        build_recipe("r", {}, {}, sections())


def test_a_recipe_with_sources_and_no_train_file_trains_on_its_own_dataset_under_its_name():
    from slm_recipes.recipe.parser import load_recipe

    recipe = load_recipe(["--config", "demo.yaml", "--name", "mine"])
    assert (recipe.train_file, recipe.data["val_file"]) == ("data/mine/dataset/train.jsonl", "data/mine/dataset/val.jsonl")
    assert recipe.retrieval.index == "data/mine/index" and recipe.retrieval.chunks == "data/mine/chunks.jsonl"
    assert recipe.open_book
    given = load_recipe(["--config", "demo.yaml", "--data.train_file", "my.jsonl", "--data.context", "none"])
    assert given.train_file == "my.jsonl" and given.data.get("val_file") is None and not given.open_book
