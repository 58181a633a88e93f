from __future__ import annotations

from slm_recipes.recipe_errors import explain_parse_error


def test_unknown_nested_key_is_located(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("model:\n  init_args:\n    lora_rnk: 4\n")
    message = 'Parser key "model":\n  Errors:\n    - Problem with given class_path:\n        Option \'lora_rnk\' is not accepted'
    assert explain_parse_error(message, [str(recipe)]) == (
        f"{recipe}:3: unknown key 'lora_rnk' in model; check its spelling against `slm fit --help`")


def test_missing_model_name_suggests_a_size_recipe():
    message = 'Parser key "model":\n  - Problem with given class_path:\n     the following arguments are required: model_name'
    assert "add a model-size recipe" in explain_parse_error(message, [])
