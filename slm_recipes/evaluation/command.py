"""`slm eval`: score a trained artefact (adapter, merged model or GGUF) the way training scored it.

The questions, the generation settings and the chat template are the recipe's, exactly as the
QAEvaluation callback uses them, so the figures compare with base and tuned in the same report.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from slm_recipes.artefacts import load_artefact, split_artefact
from slm_recipes.callbacks.qa_evaluation import QAEvaluation
from slm_recipes.errors import RecipeError
from slm_recipes.evaluation.report import write_results
from slm_recipes.recipe_cli import load_recipe

USAGE = "usage: slm eval --config R (--adapter DIR | --merged DIR | --gguf FILE)"


def eval_command(argv: list[str]) -> None:
    named, rest = split_artefact(argv)
    if named is None:
        raise RecipeError(f"name exactly one artefact; {USAGE}")
    kind, path = named
    cli = load_recipe(rest)
    callback = next((cb for cb in cli.trainer.callbacks if isinstance(cb, QAEvaluation)), None) or QAEvaluation()
    datamodule = cli.datamodule
    datamodule.setup("validate")
    model = load_artefact(kind, path, cli.model.hparams.model_name)
    questions = callback.questions(datamodule)
    values, rows = callback.score(model, datamodule.tokenizer, questions, list(range(len(questions))), callback.settings)
    directory = Path(callback.output_dir) if callback.output_dir else Path("exports") / cli.config.name / "eval"
    report = write_results(directory, kind, rows, values)
    table = Table(title=f"QA evaluation of the {kind} {path} ({len(rows)} questions)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in values.items():
        table.add_row(name, f"{value:.3f}")
    Console().print(table)
    print(f"report: {report}")
