"""The page's chat answers as `slm chat` does, and streams: the text grows before the answer is whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import AutoModelForCausalLM

from slm_recipes.generation.answers import answer_questions
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.hub.tokenizers import load_tokenizer
from slm_recipes.recipe.parser import load_recipe
from slm_recipes.ui.chat_session import ChatSession

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_answer_streams_and_ends_as_generation_answers(tmp_path, monkeypatch, tiny_qwen2):
    monkeypatch.chdir(tmp_path)
    recipe = load_recipe(["--config", str(REPO / "recipes/demo.yaml"), "--model.model_name", str(tiny_qwen2),
                          "--data.context", "none", "--generation.repetition_penalty", "3.0"])
    turns = [{"role": "user", "content": "住宿费每晚限额多少？"}]
    steps = list(ChatSession(recipe).answer(turns, "merged", str(tiny_qwen2), 0.0, 12, open_book=False))
    expected = answer_questions(AutoModelForCausalLM.from_pretrained(tiny_qwen2), load_tokenizer(str(tiny_qwen2)),
                                [[{"role": "system", "content": recipe.system_prompt}, *turns]],
                                GenerationSettings(max_new_tokens=12, repetition_penalty=3.0))[0]
    texts = [text for text, _ in steps]
    assert texts[-1] == expected.text and steps[-1][1] == ""  # closed book: no source line
    assert len({t for t in texts if t}) >= 3 and all(expected.text.startswith(t) for t in texts[:-1])
