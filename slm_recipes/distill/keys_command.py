"""`slm keys`: the API keys each teacher would use, masked (provider, index, last 2 characters at most)."""

from __future__ import annotations

from collections.abc import Iterable

from slm_recipes.distill.keys import ENV_VARS, KeyPool

USAGE = """usage: slm keys [--config RECIPE.yaml ...]

Lists each teacher's API keys, masked, with their state in this process. Keys come from the
environment (GEMINI_API_KEYS / GEMINI_API_KEY, ZHIPUAI_API_KEYS / ZHIPUAI_API_KEY, OPENAI_API_KEYS /
OPENAI_API_KEY; several keys comma-separated) and from the recipe's distill.keys_file, if any.
"""


def keys_command(argv: list[str]) -> None:
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        return
    keys_file, providers = None, list(ENV_VARS)
    if argv:
        from slm_recipes.recipe_cli import load_recipe

        distill = getattr(load_recipe(argv).config_init, "distill", None)
        keys_file = getattr(distill, "keys_file", None)
        chosen = [t for t in (getattr(distill, "teachers", None) or []) if t in ENV_VARS]
        providers = chosen or providers
    print(render_states(KeyPool.from_sources(p, keys_file) for p in providers))


def render_states(pools: Iterable[KeyPool]) -> str:
    """A plain table of every pool's keys (safe to print or log: no key appears in it)."""
    header = ("provider", "key", "source", "state", "cool-down", "requests", "failures")
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for pool in pools:
        if not len(pool):
            names = " or ".join(ENV_VARS.get(pool.provider, ()))
            local = " (a local server needs none)" if pool.provider == "openai_compatible" else ""
            notes.append(f"{pool.provider}: no keys (set {names}, or list them in distill.keys_file){local}")
        for row in pool.states():
            left = f"{row['cooldown_left_s']:.0f} s" if row["cooldown_left_s"] else "-"
            state = f"{row['state']} ({row['reason']})" if row["reason"] else str(row["state"])
            rows.append((str(row["provider"]), f"#{row['index']} {row['key']}", str(row["source"]) or "-", state, left,
                         str(row["requests"]), str(row["failures"])))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [header, *rows]] if rows else []
    return "\n".join(lines + notes)
