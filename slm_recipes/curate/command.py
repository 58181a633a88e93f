"""`slm curate` and `slm review export|import`: the curate stage and its human review, on a recipe."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from slm_recipes.curate.pipeline import run_curate
from slm_recipes.curate.review import export_sample, import_decisions
from slm_recipes.errors import RecipeError
from slm_recipes.recipe_cli import load_recipe

REVIEW_USAGE = "usage: slm review export --config R | slm review import EDITED.csv --config R"


def curate_command(argv: list[str]) -> None:
    """`slm curate --config R`: distilled.jsonl into dataset/{train,val,test,rejected}.jsonl and a data report."""
    config = load_recipe(argv).config_init.curate
    report = run_curate(config)
    Console().print(report.render())
    print(f"report: {Path(config.output_dir) / 'report.md'}")


def review_command(argv: list[str]) -> None:
    """`slm review export --config R` writes a sample (CSV + HTML); `slm review import FILE.csv --config R` reads it back."""
    if not argv or argv[0] not in ("export", "import"):
        raise RecipeError(REVIEW_USAGE)
    action, rest = argv[0], argv[1:]
    csv_file = None
    if action == "import":
        if not rest or rest[0].startswith("-"):
            raise RecipeError(REVIEW_USAGE)
        csv_file, rest = Path(rest[0]), rest[1:]
    config = load_recipe(rest).config_init.curate
    if action == "export":
        csv_path, html_path, count = export_sample(config)
        print(f"review sample of {count} record(s): {csv_path} (edit: decision, corrected_answer) and {html_path}")
        return
    counts = import_decisions(csv_file, config)
    print(f"imported {counts['accept']} accepted ({counts['corrected']} corrected) and {counts['reject']} rejected "
          f"into {config.decisions_file()}; they apply on the next `slm curate`")
