"""Reading a recipe without Lightning: the training sections merge as LightningCLI merges them."""

from __future__ import annotations

from slm_recipes.recipe.parser import merge, split_arguments, training_sections


def test_the_command_line_is_split_into_recipe_files_training_overrides_and_the_rest():
    split = split_arguments(["--config", "a.yaml", "-c=b.yaml", "--model.lora_r", "32", "--data.eval_file=null",
                             "--generation.temperature", "0.7", "--adapter", "x"])
    assert split.configs == ["a.yaml", "b.yaml"]
    assert split.training == [("model.lora_r", 32), ("data.eval_file", None)]
    assert split.rest == ["--generation.temperature", "0.7", "--adapter", "x"]


def test_mappings_merge_key_by_key_and_lists_are_replaced_whole():
    assert merge({"a": {"b": 1, "c": [1, 2]}}, {"a": {"c": [3]}}) == {"a": {"b": 1, "c": [3]}}


def test_later_files_and_dotted_keys_win_and_model_keys_are_init_args():
    files = [{"model": {"class_path": "modules.QLoRACausalLM", "init_args": {"model_name": "a", "lora_r": 16}},
              "trainer": {"callbacks": [{"class_path": "x"}], "max_epochs": 3}, "name": "base"},
             {"model": {"init_args": {"model_name": "b"}}, "trainer": {"max_epochs": 4}},
             {"data": {"system_prompt": "你好"}}]
    tree = training_sections(files, [("model.lora_r", 8), ("trainer.callbacks", [])])
    assert tree["model"] == {"class_path": "slm_recipes.modules.QLoRACausalLM",
                             "init_args": {"model_name": "b", "lora_r": 8}}
    assert tree["trainer"] == {"callbacks": [], "max_epochs": 4}
    assert tree["data"] == {"init_args": {"system_prompt": "你好"}} and "name" not in tree
