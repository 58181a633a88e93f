from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.distill.prompts import FILES, load_prompts

CHUNK = {"id": "c1", "doc": "rules.pdf", "pages": [3, 4], "text": "单张发票金额在1000元以上的，须附消费明细清单。"}


def test_default_prompts_carry_the_rules_and_the_chunk() -> None:
    prompts = load_prompts(None, numeric_share=0.4)
    system, user = prompts.render(CHUNK, "numeric")
    assert "照抄" in system and "单位" in system and "JSON" in system
    assert CHUNK["text"] in user and "40%" in user and "rules.pdf" in user and "3–4" in user
    assert '"question"' in user  # the good and the bad few-shot examples, braces intact
    assert "不要这样写" in user
    assert prompts.render(CHUNK, "general")[1] != user


def test_a_recipe_replaces_single_prompt_files(tmp_path: Path) -> None:
    (tmp_path / "system.txt").write_text("You are the travel-policy expert. Copy every number exactly.", encoding="utf-8")
    prompts = load_prompts(str(tmp_path))
    assert prompts.system.startswith("You are the travel-policy expert")
    assert prompts.stages["numeric"] == load_prompts(None).stages["numeric"]
    assert len(FILES) == 5


def test_bad_prompt_settings_stop_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="prompts_dir"):
        load_prompts(str(tmp_path / "nope"))
    with pytest.raises(RecipeError, match="numeric_share"):
        load_prompts(None, numeric_share=1.5)
    with pytest.raises(RecipeError, match="no prompt for stage"):
        load_prompts(None).render(CHUNK, "trivia")
