"""The callbacks a recipe asks for by section rather than by list entry: the QA evaluation (`evaluation:`),
merging and GGUF export (`export:`), and plain progress lines when the output is not a terminal."""

from __future__ import annotations

from lightning.pytorch import Callback

from slm_recipes.callbacks.log_lines import LogLineProgress
from slm_recipes.callbacks.model_export import ModelExport
from slm_recipes.callbacks.qa_evaluation import QAEvaluation
from slm_recipes.core.progress import on_terminal
from slm_recipes.export.kquants import require_quantizer
from slm_recipes.recipe.recipe import Recipe
from slm_recipes.text.lexicon import load_lexicon


def run_callbacks(recipe: Recipe, subcommand: str | None, progress_bar: bool | None) -> list[Callback]:
    """Evaluation, then merge and GGUF export (fit; a missing quantizer is said before training), then progress lines."""
    callbacks: list[Callback] = []
    if recipe.evaluation.enabled:
        callbacks.append(QAEvaluation(recipe.evaluation, recipe.paths.eval, load_lexicon(recipe.lexicon), recipe.eval_file,
                                      recipe.system_prompt))
    if subcommand == "fit" and recipe.export.merge_after_fit:
        require_quantizer(recipe.export.gguf)
        callbacks.append(ModelExport(recipe.export, recipe.paths, recipe.generation, load_lexicon(recipe.lexicon),
                                     recipe.system_prompt, recipe.eval_file))
    if progress_bar is not False and not on_terminal():
        callbacks.append(LogLineProgress())
    return callbacks
