"""`slm ingest`: run the ingest stage on a recipe."""

from __future__ import annotations

from rich.console import Console

from slm_recipes.ingest.pipeline import run_ingest
from slm_recipes.recipe_cli import load_recipe
from slm_recipes.tokenizers import token_counter


def ingest_command(argv: list[str]) -> None:
    """`slm ingest --config R [--skip-bad]`: the recipe's documents into chunks.jsonl, with a report."""
    skip_bad = "--skip-bad" in argv
    cli = load_recipe([a for a in argv if a != "--skip-bad"])
    config = cli.config_init.ingest
    config.skip_bad = config.skip_bad or skip_bad
    report = run_ingest(config, token_counter(config.tokenizer or cli.model.hparams.model_name))
    Console().print(report.render())
    if report.failed:
        print(f"skipped {len(report.failed)} bad document(s): " + ", ".join(doc.path for doc in report.failed))
