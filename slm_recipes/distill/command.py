"""`slm distill`: run the distill stage on a recipe."""

from __future__ import annotations

from rich.console import Console

from slm_recipes.distill.pipeline import run_distill
from slm_recipes.distill.registry import build_teachers
from slm_recipes.recipe_cli import load_recipe


def distill_command(argv: list[str]) -> None:
    """`slm distill --config R`: the recipe's chunks.jsonl into distilled.jsonl, with a report."""
    cli = load_recipe(argv)
    config = cli.config_init.distill
    report = run_distill(config, build_teachers(config))
    Console().print(report.render())
    if report.failures:
        print(f"{len(report.failures)} chunk(s) failed with every teacher; see {report.failures_file}. "
              "Run the same command again to retry only those.")
