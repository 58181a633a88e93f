"""The one argv reader: flags paired with their values, sorted into recipe files, overrides and the rest."""

from __future__ import annotations

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.arguments import Alias, Argument, read_command_line, tokenize

KEYS = ("name", "model", "data", "trainer", "generation", "ingest", "export")


def test_a_flag_takes_the_next_word_unless_it_is_another_flag_or_given_with_equals():
    assert tokenize(["--a", "1", "--b=x=y", "--c", "--d", "-0.5", "pos", "-h"]) == [
        Argument("--a", "1"), Argument("--b", "x=y"), Argument("--c"), Argument("--d", "-0.5"), Argument(None, "pos"),
        Argument("-h")]
    assert tokenize(["--skip-bad", "x.pdf"], alone={"--skip-bad"}) == [Argument("--skip-bad"), Argument(None, "x.pdf")]


def test_the_command_line_is_sorted_into_recipe_files_overrides_and_the_rest():
    line = read_command_line(["--config", "a.yaml", "-c=b.yaml", "--model.lora_r", "32", "--data.eval_file=null",
                              "--generation.temperature", "0.7", "--adapter", "x", "--trainer.callbacks+=X", "--name", "r"],
                             KEYS)
    assert line.configs == ["a.yaml", "b.yaml"]
    assert line.overrides == [("model.lora_r", "32"), ("data.eval_file", "null"), ("generation.temperature", "0.7"),
                              ("name", "r")]
    assert line.rest_words() == ["--adapter=x", "--trainer.callbacks+=X"]


def test_aliases_become_the_recipe_keys_they_stand_for():
    aliases = {"--skip-bad": Alias("ingest.skip_bad", "true"), "--gguf": Alias("export.gguf", convert=lambda v: f"[{v}]")}
    line = read_command_line(["--skip-bad", "--gguf", "f16", "--count", "5"], KEYS, aliases)
    assert line.overrides == [("ingest.skip_bad", "true"), ("export.gguf", "[f16]")]
    assert line.rest == [Argument("--count", "5")]
    with pytest.raises(RecipeError, match="--gguf needs a value"):
        read_command_line(["--gguf"], KEYS, aliases)
    with pytest.raises(RecipeError, match="--generation.temperature needs a value"):
        read_command_line(["--generation.temperature"], KEYS)
