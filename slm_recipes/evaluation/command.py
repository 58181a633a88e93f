"""`slm eval`: score a trained artefact (adapter, merged model or GGUF) the way training scored it.

The questions, the generation settings and the chat template are the recipe's, exactly as the
QAEvaluation callback uses them, so the figures compare with base and tuned in the same report.
"""

from __future__ import annotations

from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from slm_recipes.callbacks.qa_evaluation import QAEvaluation
from slm_recipes.errors import RecipeError
from slm_recipes.evaluation.report import write_results
from slm_recipes.model_source import resolve_model
from slm_recipes.recipe_cli import load_recipe

ARTEFACTS = ("--adapter", "--merged", "--gguf")
USAGE = "usage: slm eval --config R (--adapter DIR | --merged DIR | --gguf FILE)"


def load_artefact(kind: str, path: Path, base_model: str) -> torch.nn.Module:
    """The model to evaluate: base + adapter, a merged Hugging Face folder, or a GGUF file (dequantized)."""
    from transformers import AutoModelForCausalLM

    if not path.exists():
        raise RecipeError(f"{path} does not exist; {USAGE}")
    if kind == "adapter":
        from peft import PeftModel

        return PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(resolve_model(base_model)), str(path))
    if kind == "merged":
        return AutoModelForCausalLM.from_pretrained(str(path))
    return AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name)


def split_artefact(argv: list[str]) -> tuple[str, Path, list[str]]:
    given = [(i, flag) for i, flag in enumerate(argv) if flag in ARTEFACTS]
    if len(given) != 1 or given[0][0] + 1 >= len(argv):
        raise RecipeError(f"name exactly one artefact; {USAGE}")
    i, flag = given[0]
    return flag.lstrip("-"), Path(argv[i + 1]), argv[:i] + argv[i + 2:]


def eval_command(argv: list[str]) -> None:
    kind, path, rest = split_artefact(argv)
    cli = load_recipe(rest)
    callback = next((cb for cb in cli.trainer.callbacks if isinstance(cb, QAEvaluation)), None) or QAEvaluation()
    datamodule = cli.datamodule
    datamodule.setup("validate")
    model = load_artefact(kind, path, cli.model.hparams.model_name).eval()
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
