"""The model a command or the page answers with, and its open book: found, loaded and described one way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slm_recipes.assembly.artefacts import LoadedModel, open_model
from slm_recipes.recipe.recipe import Recipe
from slm_recipes.retrieval.open_book import OpenBook, open_book_over


def recipe_open_book(recipe: Recipe, tokenizer: Any, no_retrieval: bool = False) -> OpenBook | None:
    """The recipe's retriever when its model was trained open-book (None: closed-book, or `no_retrieval`)."""
    if not recipe.open_book or no_retrieval:
        return None
    return open_book_over(recipe.retrieval, recipe.paths, tokenizer)


def open_for_answers(recipe: Recipe, named: tuple[str, Path] | None, no_retrieval: bool = False
                     ) -> tuple[LoadedModel, OpenBook | None]:
    """The model to answer with (the one named, else the run's own) and its open book; a missing or stale index
    fails before the model loads."""
    if recipe.open_book and not no_retrieval:
        from slm_recipes.retrieval.index import check_index

        check_index(recipe.retrieval, recipe.paths)
    loaded = open_model(recipe.paths, recipe.model_name, recipe.generation, recipe.system_prompt, named)
    return loaded, recipe_open_book(recipe, loaded.tokenizer, no_retrieval)
