"""`slm eval`: score a trained artefact (adapter, merged model or GGUF) the way training scored it.

The questions, the settings (`evaluation:`) and the chat template are the recipe's, exactly as the
QA evaluation at the end of `slm fit` uses them, so the figures compare with base and tuned in the
same report.
"""

from __future__ import annotations

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.recipe import Recipe


def evaluate(recipe: Recipe, adapter: str | None = None, merged: str | None = None, gguf: str | None = None) -> None:
    """QA metrics of an artefact: --adapter DIR | --merged DIR | --gguf FILE (report in exports/<name>/eval/).

    Asks `data.init_args.eval_file` (else the val split), at most `evaluation.max_questions`, and writes
    `<kind>.jsonl` and `<kind>.metrics.json` beside `base` and `tuned` in the run's eval folder, with the
    comparison in report.md. A model trained open-book is asked closed-book (`<kind>-closed`) and open-book,
    side by side.

    Args:
        adapter: A PEFT adapter folder (over the recipe's base model).
        merged: A merged Hugging Face model folder.
        gguf: A GGUF file (read with transformers' GGUF loader).
    """
    from rich.console import Console
    from rich.table import Table

    from slm_recipes.assembly.artefacts import load_artefact, named_artefact
    from slm_recipes.assembly.data import recipe_datamodule
    from slm_recipes.core.devices import best_device
    from slm_recipes.evaluation.evaluator import eval_questions
    from slm_recipes.evaluation.evaluator import evaluate as evaluate_model
    from slm_recipes.text.lexicon import load_lexicon

    named = named_artefact(adapter, merged, gguf)
    if named is None:
        raise RecipeError("name exactly one artefact: --adapter DIR, --merged DIR or --gguf FILE")
    kind, path = named
    datamodule = recipe_datamodule(recipe)
    datamodule.setup("validate")
    questions = eval_questions(recipe.evaluation, recipe.eval_file, recipe.system_prompt,
                               None if recipe.eval_file else datamodule.val_examples)
    model = load_artefact(kind, path, recipe.model_name).to(best_device())
    results, report = evaluate_model(model, datamodule.tokenizer, questions, recipe.evaluation,
                                     load_lexicon(recipe.lexicon), recipe.paths.eval, kind, datamodule.open_book)
    table = Table(title=f"QA evaluation of the {kind} {path} ({len(questions)} questions)")
    table.add_column("metric")
    for label in results:
        table.add_column("open book" if label == kind and len(results) > 1 else
                         "closed book" if len(results) > 1 else "value", justify="right")
    for name in dict.fromkeys(n for values in results.values() for n in values):
        table.add_row(name, *(f"{v[name]:.3f}" if name in v else "" for v in results.values()))
    Console().print(table)
    print(f"report: {report}")
