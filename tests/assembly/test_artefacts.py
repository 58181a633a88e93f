"""Which model a command talks to: the artefact flag given, else the recipe's merged folder, else its run's adapter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from slm_recipes.assembly.artefacts import default_artefact, load_artefact, named_artefact
from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import RunPaths


def config(output_dir: str | None = None) -> RunPaths:
    return RunPaths("tiny", "org/Tiny-Instruct", export_folder=output_dir)


def make(path: Path, *files: str) -> Path:
    path.mkdir(parents=True)
    for name in files:
        (path / name).write_text("{}")
    return path


def test_merged_folder_is_preferred_over_the_run_adapter(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make(Path("logs/tiny/Tiny-Instruct/adapter"), "adapter_config.json")
    assert default_artefact(config()) == ("adapter", Path("logs/tiny/Tiny-Instruct/adapter"))
    make(Path("exports/tiny/merged"), "config.json")
    assert default_artefact(config()) == ("merged", Path("exports/tiny/merged"))


def test_a_merged_folder_without_config_is_not_a_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make(Path("elsewhere/merged"))  # e.g. an export that stopped half-way
    make(Path("logs/tiny/Tiny-Instruct/adapter"), "adapter_config.json")
    assert default_artefact(config("elsewhere"))[0] == "adapter"
    make(Path("exports/tiny/merged"), "config.json")  # not where this recipe's export.output_dir says
    assert default_artefact(config("elsewhere"))[0] == "adapter"


def test_no_artefact_says_to_fit_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RecipeError, match=r"run `slm fit --config R` first, or pass --adapter DIR") as err:
        default_artefact(config())
    assert "exports/tiny/merged" in str(err.value) and "logs/tiny/Tiny-Instruct/adapter" in str(err.value)


def test_the_one_artefact_named_is_the_one_loaded():
    assert named_artefact() is None
    assert named_artefact(adapter="a") == ("adapter", Path("a"))
    assert named_artefact(gguf="m/q8.gguf") == ("gguf", Path("m/q8.gguf"))
    with pytest.raises(RecipeError, match="name exactly one artefact, not 2"):
        named_artefact(adapter="a", merged="m")


def test_load_artefact_names_what_is_wrong(tmp_path):
    with pytest.raises(RecipeError, match=re.escape(f"{tmp_path / 'nope'} does not exist")):
        load_artefact("merged", tmp_path / "nope", "org/Tiny-Instruct")
    with pytest.raises(RecipeError, match="no config.json"):
        load_artefact("merged", make(tmp_path / "merged"), "org/Tiny-Instruct")
    with pytest.raises(RecipeError, match="no adapter_config.json"):
        load_artefact("adapter", make(tmp_path / "adapter"), "org/Tiny-Instruct")
    with pytest.raises(RecipeError, match="not a GGUF file"):
        load_artefact("gguf", tmp_path / "merged", "org/Tiny-Instruct")


def test_load_artefact_loads_a_merged_folder_in_eval_mode(tiny_qwen2):
    model = load_artefact("merged", tiny_qwen2, "unused")
    assert not model.training and model.config.num_hidden_layers == 2
