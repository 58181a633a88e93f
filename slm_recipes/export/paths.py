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


def run_adapter_dir(config: Any) -> Path:
    """The PEFT folder SaveAdapter keeps for this recipe's run: logs/<name>/<model>/adapter."""
    return Path(LOG_ROOT) / config.name / run_version(config) / "adapter"


def gguf_path(config: Any, gguf_type: str) -> Path:
    """exports/<name>/<name>-<type>.gguf, the file name users see in llama.cpp and Ollama."""
    return export_dir(config) / f"{config.name}-{gguf_type}.gguf"
