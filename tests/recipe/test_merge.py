"""The one merge: files in order, then overrides, with LightningCLI's rules and typed override values."""

from __future__ import annotations

from slm_recipes.recipe.merge import merge, merged_tree, read_value
from slm_recipes.recipe.parser import holds_text


def test_mappings_merge_key_by_key_and_lists_are_replaced_whole():
    assert merge({"a": {"b": 1, "c": [1, 2]}}, {"a": {"c": [3]}}) == {"a": {"b": 1, "c": [3]}}


def test_another_class_replaces_the_old_one_whole_and_the_same_class_merges():
    old = {"class_path": "A", "init_args": {"x": 1}}
    assert merge(old, {"class_path": "B", "init_args": {"y": 2}}) == {"class_path": "B", "init_args": {"y": 2}}
    assert merge(old, {"class_path": "A", "init_args": {"y": 2}}) == {"class_path": "A", "init_args": {"x": 1, "y": 2}}


def test_later_files_and_overrides_win_and_model_keys_are_init_args():
    files = [{"model": {"class_path": "modules.QLoRACausalLM", "init_args": {"model_name": "a", "lora_r": 16}},
              "trainer": {"callbacks": [{"class_path": "x"}], "max_epochs": 3}, "name": "base"},
             {"model": {"init_args": {"model_name": "b"}}, "trainer": {"max_epochs": 4}},
             {"data": {"system_prompt": "你好"}}]
    tree = merged_tree(files, [("model.lora_r", "8"), ("trainer.callbacks", "[]"), ("model.lr_scheduler.class_path",
                                                                                    "modules.schedules.WarmupDecayLR")])
    assert tree["model"] == {"class_path": "slm_recipes.modules.QLoRACausalLM",
                             "init_args": {"model_name": "b", "lora_r": 8,
                                           "lr_scheduler": {"class_path": "slm_recipes.modules.schedules.WarmupDecayLR"}}}
    assert tree["trainer"] == {"callbacks": [], "max_epochs": 4}
    assert tree["data"] == {"init_args": {"system_prompt": "你好"}} and tree["name"] == "base"


def test_an_override_is_yaml_unless_its_key_holds_text():
    assert read_value("0.7") == 0.7 and read_value("null") is None and read_value("[a, b]") == ["a", "b"]
    assert read_value("{a: 1}") == {"a": 1} and read_value("a: b") == "a: b"
    tree = merged_tree([], [("name", "2024"), ("distill.model", "1.5"), ("data.system_prompt", "你是: 助手"),
                            ("data.max_length", "256"), ("distill.model", "null")][:4], holds_text)
    assert tree["name"] == "2024" and tree["distill"]["model"] == "1.5"
    assert tree["data"]["init_args"] == {"system_prompt": "你是: 助手", "max_length": 256}
