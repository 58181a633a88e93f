"""Recipe files: the bundled ones found by name, their own files found beside them, design-card class paths owned."""

from __future__ import annotations

from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.files import bundled_dir, find_recipe, package_class_path, read_recipe_file, recipe_files
from slm_recipes.recipe.merge import merged_tree

REPO = Path(__file__).resolve().parents[2]


def test_bundled_recipes_are_found_by_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_recipe("demo.yaml") == bundled_dir() / "demo.yaml" and find_recipe("demo") == bundled_dir() / "demo.yaml"
    assert find_recipe("models/qwen2.5-3b.yaml").is_file()
    (tmp_path / "demo.yaml").write_text("name: mine\n")
    assert find_recipe("demo.yaml") == Path("demo.yaml")  # a file of your own wins
    with pytest.raises(RecipeError, match="recipe nope.yaml does not exist"):
        find_recipe("nope.yaml")


def test_a_bundled_recipe_names_its_own_files_beside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    demo = read_recipe_file("demo.yaml").content
    assert Path(demo["data"]["init_args"]["eval_file"]) == (bundled_dir() / "demo/paraphrased_eval.jsonl").resolve()
    assert "train_file" not in demo["data"]["init_args"]  # the run makes its own, under data/<name>/ where it runs
    assert [Path(s) for s in demo["ingest"]["sources"]] == [(bundled_dir() / "demo/reimbursement_rules.pdf").resolve()]
    monkeypatch.chdir(REPO)  # from a clone they read as before, relative to it
    assert read_recipe_file("recipes/demo.yaml").content["data"]["init_args"]["eval_file"] == "recipes/demo/paraphrased_eval.jsonl"


def test_your_own_recipe_keeps_its_paths_relative_to_where_you_run(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo/qa.jsonl").write_text("{}\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text("data:\n  init_args:\n    train_file: demo/qa.jsonl\n")
    assert read_recipe_file(str(mine)).content["data"]["init_args"]["train_file"] == "demo/qa.jsonl"


def test_design_card_class_paths_name_the_installed_packages():
    assert package_class_path("modules.QLoRACausalLM") == "slm_recipes.modules.QLoRACausalLM"
    assert package_class_path("datamodules.DistilledQADataModule") == "slm_recipes.datamodules.DistilledQADataModule"
    assert package_class_path("torch.optim.AdamW") == "torch.optim.AdamW"
    base = merged_tree([recipe_files([])[0].content], [])
    assert base["model"]["class_path"] == "slm_recipes.modules.QLoRACausalLM"
    assert base["model"]["init_args"]["lr_scheduler"]["class_path"] == "slm_recipes.modules.schedules.WarmupDecayLR"


def test_a_broken_recipe_names_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nmodel:\n  init_args: [1,\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"bad\.yaml:4:1: not valid YAML"):
        read_recipe_file(str(bad))
    bad.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"bad\.yaml: a recipe is a mapping of sections"):
        read_recipe_file(str(bad))
