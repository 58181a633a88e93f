"""Where a recipe's artefacts live, so fit, export, eval, chat and predict agree without being told."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slm_recipes.recipe_cli import LOG_ROOT, run_version


def export_dir(config: Any) -> Path:
    """exports/<name>/ unless the recipe's `export.output_dir` says otherwise."""
    return Path(config.export.output_dir) if config.export.output_dir else Path("exports") / config.name


def merged_dir(config: Any) -> Path:
    return export_dir(config) / "merged"


def run_dir(config: Any) -> Path:
    """This recipe's run folder: logs/<name>/<model>/ (checkpoints/, adapter/, event files)."""
    return Path(LOG_ROOT) / config.name / run_version(config)


def run_adapter_dir(config: Any) -> Path:
    """The PEFT folder SaveAdapter keeps for this recipe's run."""
    return run_dir(config) / "adapter"
