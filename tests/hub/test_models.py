from __future__ import annotations

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.hub.models import resolve_model


def test_existing_folder_wins(tiny_qwen2):
    assert resolve_model(str(tiny_qwen2)) == str(tiny_qwen2)


def test_models_folder_is_searched_by_the_last_part_of_a_hub_id(tmp_path, monkeypatch):
    (tmp_path / "Qwen2.5-0.5B-Instruct").mkdir()
    (tmp_path / "Qwen2.5-0.5B-Instruct" / "config.json").write_text("{}")
    monkeypatch.setenv("SLM_MODELS_DIR", str(tmp_path))
    assert resolve_model("Qwen/Qwen2.5-0.5B-Instruct") == str(tmp_path / "Qwen2.5-0.5B-Instruct")


def test_missing_path_is_an_error():
    with pytest.raises(RecipeError, match="model path ./nowhere/model does not exist"):
        resolve_model("./nowhere/model")


def test_offline_and_uncached_says_where_it_looked_and_how_to_download(tmp_path, monkeypatch):
    monkeypatch.setenv("SLM_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(RecipeError) as err:
        resolve_model("Qwen/Qwen2.5-3B-Instruct")
    message = str(err.value)
    assert str(tmp_path / "Qwen2.5-3B-Instruct") in message and "Hugging Face cache" in message
    assert "huggingface-cli download Qwen/Qwen2.5-3B-Instruct" in message


def test_bundled_smollm2_is_a_plain_hugging_face_folder(smollm2_dir):
    assert (smollm2_dir / "model.safetensors").is_file() and (smollm2_dir / "tokenizer.json").is_file()
    assert "<|im_start|>" in (smollm2_dir / "chat_template.jinja").read_text()
