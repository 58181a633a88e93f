"""`slm keys`: the teachers' API keys, masked, without loading anything heavy."""

from __future__ import annotations

from slm_recipes.recipe.recipe import Recipe


def keys(recipe: Recipe | None) -> None:
    """List the teachers' API keys, masked, with their state (from the environment and distill.keys_file).

    Keys come from the environment (GEMINI_API_KEYS / GEMINI_API_KEY, ZHIPUAI_API_KEYS / ZHIPUAI_API_KEY,
    OPENAI_API_KEYS / OPENAI_API_KEY; several keys comma-separated) and, with a recipe, from its
    distill.keys_file, for the teachers it names. No key is ever printed: each shows as its index and
    last 2 characters at most. With a recipe, each key's state is the one its last `slm distill` left
    (cooling down until, disabled as rejected or out of quota).
    """
    from slm_recipes.distill.key_states import load_key_states
    from slm_recipes.distill.key_table import render_states
    from slm_recipes.distill.keys import ENV_VARS, KeyPool

    if recipe is None:
        print(render_states(KeyPool.from_sources(p, None, bare_keys=False) for p in ENV_VARS))
        return
    providers = [t for t in recipe.distill.teachers if t in ENV_VARS] or list(ENV_VARS)
    pools = [KeyPool.from_sources(p, recipe.distill.keys_file, bare_keys=len(providers) == 1) for p in providers]
    load_key_states(recipe.paths.key_states, pools, disabled=True)
    print(render_states(pools))
