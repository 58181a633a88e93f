"""The lexicon: the word lists of a language and kind of document, read from a file a recipe names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.parser import load_recipe
from slm_recipes.text.lexicon import DEFAULT_LEXICON, lexicon_file, load_lexicon

REPO = Path(__file__).resolve().parents[2]
#: Modules whose rules read the lexicon: none of them may spell its words itself.
READERS = ["slm_recipes/distill/provisions.py", "slm_recipes/distill/asking.py", "slm_recipes/distill/extractive.py", "slm_recipes/evaluation/keywords.py",
           "slm_recipes/export/verify.py", "slm_recipes/ui/app.py", "slm_recipes/ui/tabs.py"]


def test_the_bundled_lexicon_has_every_list_and_a_digest():
    lexicon = load_lexicon(DEFAULT_LEXICON)
    assert lexicon.strong_ends[:2] == ("费用", "费") and "出差" in lexicon.weak_ends and "的" in lexicon.not_in_subject
    assert "本细则" in lexicon.stop_words and "the" in lexicon.english_stop_words
    assert lexicon.sample_question and lexicon.sample_conversations and lexicon.tokenizer_samples
    assert len(lexicon.digest) == 64 and lexicon.keyword_breaks.split("本细则规定住宿费") == ["", "", "住宿费"]


def code_strings(path: Path) -> list[str]:
    """The string literals of a module's code (docstrings, which show examples, left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_the_generic_modules_spell_no_word_of_the_lexicon():
    lexicon = load_lexicon(DEFAULT_LEXICON)
    words = [w for w in (*lexicon.strong_ends, *lexicon.weak_ends, "本细则", "住宿费", "差旅费") if len(w) >= 2]
    found = {module: [w for w in words for s in code_strings(REPO / module) if w in s] for module in READERS}
    assert {module: w for module, w in found.items() if w} == {}


def test_a_recipe_names_its_lexicon_by_path_and_a_broken_one_is_one_line(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text(lexicon_file(DEFAULT_LEXICON).read_text(encoding="utf-8").replace("[总则, 附则, 附录]", "[总则]"),
                    encoding="utf-8")
    recipe = load_recipe(["--config", str(REPO / "recipes/demo.yaml"), "--lexicon", str(mine)])
    assert load_lexicon(recipe.lexicon).generic_topics == frozenset({"总则"})
    broken = tmp_path / "broken.yaml"
    broken.write_text("subjects: {strong_ends: [费]}\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"broken.yaml: the lexicon has no subjects.weak_ends"):
        load_lexicon(str(broken))
    with pytest.raises(RecipeError, match="neither a bundled lexicon"):
        load_lexicon("no-such-lexicon")
