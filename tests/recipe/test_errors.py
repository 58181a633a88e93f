"""Recipe errors as jsonargparse itself raises them, explained in one line that names the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.parser import load_recipe

REPO = Path(__file__).resolve().parents[2]
DEMO = ["--config", str(REPO / "recipes/demo.yaml")]


def error_of(tmp_path: Path, text: str | None, *extra: str) -> str:
    args = list(DEMO)
    if text is not None:
        recipe = tmp_path / "r.yaml"
        recipe.write_text(text, encoding="utf-8")
        args += ["--config", str(recipe)]
    with pytest.raises(RecipeError) as err:
        load_recipe([*args, *extra])
    assert "\n" not in str(err.value)
    return str(err.value).replace(str(tmp_path / "r.yaml"), "r.yaml")


@pytest.mark.parametrize("text, extra, expected", [
    ("name: x\ningest:\n  outptu: y\n", (), "r.yaml:3: unknown key 'outptu' in ingest; check its spelling"),
    ("name: x\ntraner:\n  max_epochs: 3\n", (), "r.yaml:2: unknown key 'traner' in the recipe"),
    (None, ("--ingest.outptu", "y"), "--ingest.outptu (command line): unknown key 'outptu' in ingest; check its spelling"),
    ("distill:\n  concurrency: four\n", (), "r.yaml:2: distill.concurrency: expected an integer, got 'four'"),
    (None, ("--distill.concurrency", "four"), "distill.concurrency: expected an integer, got 'four'"),
    ("distill:\n  teachers: extractive\n", (), "distill.teachers: expected a list ([a, b]), got 'extractive'"),
    ("distill:\n  concurrency: [4\n", (), "r.yaml:3:1: not valid YAML"),
])
def test_each_kind_of_mistake_is_one_line_naming_where(tmp_path, text, extra, expected):
    assert expected in error_of(tmp_path, text, *extra)


def test_a_recipe_without_a_model_asks_for_a_size_recipe():
    with pytest.raises(RecipeError, match=r"required key 'model_name' in model \(add a model-size recipe"):
        load_recipe(["--config", str(REPO / "recipes/reimbursement.yaml")])


def test_a_section_check_says_which_key_and_why(tmp_path):
    assert "curate.split_ratios must be three shares" in error_of(tmp_path, "curate:\n  split_ratios: [0.5, 0.2]\n")
    assert "unknown GGUF type q3 in export.gguf" in error_of(tmp_path, "export:\n  gguf: [q3]\n")
