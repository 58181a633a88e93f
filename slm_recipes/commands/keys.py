"""`slm keys`: the teachers' API keys, masked, without loading anything heavy."""

from __future__ import annotations

from slm_recipes.recipe import Recipe


def keys(recipe: Recipe | None) -> None:
    """List the teachers' API keys, masked, with their state (from the environment and distill.keys_file).

    Keys come from the environment (GEMINI_API_KEYS / GEMINI_API_KEY, ZHIPUAI_API_KEYS / ZHIPUAI_API_KEY,
    OPENAI_API_KEYS / OPENAI_API_KEY; several keys comma-separated) and, with a recipe, from its
    distill.keys_file, for the teachers it names. No key is ever printed: each shows as its index and
    last 2 characters at most.
    """
    from slm_recipes.distill.key_table import render_states
    from slm_recipes.distill.keys import ENV_VARS, KeyPool

    keys_file, providers = None, list(ENV_VARS)
    if recipe is not None:
        keys_file = recipe.distill.keys_file
        providers = [t for t in recipe.distill.teachers if t in ENV_VARS] or providers
    print(render_states(KeyPool.from_sources(p, keys_file) for p in providers))
