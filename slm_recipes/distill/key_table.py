"""The table `slm keys` prints: each teacher's API keys, masked (provider, index, last 2 characters at most)."""

from __future__ import annotations

from collections.abc import Iterable

from slm_recipes.distill.keys import ENV_VARS, KeyPool


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
