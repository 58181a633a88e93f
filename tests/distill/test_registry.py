import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.distill.config import DistillConfig
from slm_recipes.distill.extractive import ExtractiveTeacher
from slm_recipes.distill.registry import build_teachers
from slm_recipes.text.lexicon import load_lexicon


def test_default_teacher_is_the_offline_extractive_one() -> None:
    (teacher,) = build_teachers(DistillConfig(), load_lexicon())
    assert isinstance(teacher, ExtractiveTeacher) and teacher.name == "extractive"


def test_unknown_teacher_names_the_choices() -> None:
    with pytest.raises(RecipeError, match="unknown teacher 'gpt5'.*extractive, gemini, zhipu, openai_compatible"):
        build_teachers(DistillConfig(teachers=["extractive", "gpt5"]), load_lexicon())


def test_api_teachers_are_built_in_fallback_order_without_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GEMINI_API_KEYS", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(RecipeError, match="no API key"):
        build_teachers(DistillConfig(teachers=["gemini"]), load_lexicon())
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-not-real-0000")
    config = DistillConfig(teachers=["gemini", "openai_compatible", "extractive"], model="m", base_url="http://127.0.0.1:9/v1")
    teachers = build_teachers(config, load_lexicon())
    assert [t.name for t in teachers] == ["gemini", "openai_compatible", "extractive"]
    assert teachers[0].model == "m" and teachers[1].base_url == "http://127.0.0.1:9/v1"
