"""The data commands: documents → chunks → QA pairs → dataset, the human review, and a look at the rendered data.

Each imports its stage when it runs, so reading the recipe and `--help` stay fast.
"""

from __future__ import annotations

from slm_recipes.core.errors import RecipeError, RunFailed
from slm_recipes.recipe.recipe import Recipe


def ingest(recipe: Recipe) -> None:
    """Read the recipe's documents (PDF, TXT, MD) into chunks.jsonl; --skip-bad to go on past bad files.

    Sources are `ingest.sources` (files, folders, globs); the chunks go to `ingest.output`
    (data/<name>/chunks.jsonl by default), with a per-document report.
    """
    from rich.console import Console

    from slm_recipes.hub.tokenizers import token_counter
    from slm_recipes.ingest.pipeline import run_ingest

    config = recipe.ingest
    report = run_ingest(config, recipe.paths, token_counter(config.tokenizer or recipe.model_name))
    Console().print(report.render())
    if report.failed:
        print(f"skipped {len(report.failed)} bad document(s): " + ", ".join(doc.path for doc in report.failed))


def distill(recipe: Recipe) -> None:
    """Turn chunks.jsonl into QA pairs (distilled.jsonl) with the recipe's teachers; cached, resumable.

    Teachers are tried in `distill.teachers` order; a chunk no teacher answers is listed in
    `<output stem>.failures.jsonl`, the command ends with exit status 1 and a one-line summary, and
    running it again retries just those. With no usable key left for any teacher it stops at once.
    """
    from rich.console import Console

    from slm_recipes.distill.pipeline import run_distill
    from slm_recipes.distill.registry import build_teachers
    from slm_recipes.text.lexicon import load_lexicon

    config = recipe.distill
    report = run_distill(config, recipe.paths, build_teachers(config, load_lexicon(recipe.lexicon)))
    Console().print(report.render())
    if report.failure_summary():
        raise RunFailed(report.failure_summary())


def curate(recipe: Recipe) -> None:
    """Check, score, de-duplicate and split distilled.jsonl into dataset/{train,val,test}.jsonl + report.

    Rejected pairs go to rejected.jsonl with their reasons; human decisions from `slm review import`
    win over the checks.
    """
    from rich.console import Console

    from slm_recipes.curate.pipeline import run_curate
    from slm_recipes.text.lexicon import load_lexicon

    report = run_curate(recipe.curate, recipe.paths, load_lexicon(recipe.lexicon))
    Console().print(report.render())
    print(f"report: {recipe.paths.data_report}")
    if report.failure_summary():
        raise RunFailed(report.failure_summary())


def index(recipe: Recipe, query: str | None = None, top: int | None = None) -> None:
    """Build the retrieval index over the run's chunks (beside them: data/<name>/index), or search it.

    The passages are `retrieval.unit`s of chunks.jsonl (made first when the recipe has ingest sources),
    indexed for `retrieval.retriever`; the index is rebuilt only when the chunks or those settings change.
    With --query it prints the best passages for a question with scores, document and pages.

    Args:
        query: A question to search for (the index is brought up to date first).
        top: How many passages --query prints (default `retrieval.top_k`).
    """
    from rich.console import Console
    from rich.table import Table

    from slm_recipes.assembly.data import recipe_stages

    recipe_stages(recipe).ensure_index(recipe.model_name)
    if query is None:
        return
    if not query.strip():
        raise RecipeError("--query is empty; ask a question")
    from slm_recipes.retrieval.index import Retriever

    config = recipe.retrieval
    hits = Retriever(config, recipe.paths).search(query, top or config.top_k)
    table = Table(title=f"{len(hits)} passage(s) for {query!r} (relevant from {config.min_score:.2f})")
    for column, justify in (("#", "right"), ("score", "right"), ("relevance", "right"), ("source", "left"),
                            ("passage", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for n, hit in enumerate(hits, start=1):
        table.add_row(str(n), f"{hit.score:.3f}", f"{hit.relevance:.2f}", hit.passage.source, hit.passage.text)
    Console().print(table)


def review_export(recipe: Recipe) -> None:
    """Write a review sample of the curated pairs (sample.csv to edit, sample.html to read).

    The sample is `curate.review_fraction` of the records, stratified by stage and document, in
    `curate.review_dir` (review/ beside the dataset). Fill in `decision` (accept / reject) or
    `corrected_answer`, then run `slm review import`.
    """
    from slm_recipes.curate.review import export_sample

    csv_path, html_path, count = export_sample(recipe.curate, recipe.paths)
    print(f"review sample of {count} record(s): {csv_path} (edit: decision, corrected_answer) and {html_path}")


def review_import(recipe: Recipe, csv_file: str) -> None:
    """Read an edited review sample back; its decisions apply on the next `slm curate`.

    Args:
        csv_file: The edited sample.csv (from `slm review export`).
    """
    from pathlib import Path

    from slm_recipes.curate.review import import_decisions

    counts = import_decisions(Path(csv_file), recipe.paths)
    print(f"imported {counts['accept']} accepted ({counts['corrected']} corrected) and {counts['reject']} rejected "
          f"into {recipe.paths.decisions}; they apply on the next `slm curate`")


def inspect_data(recipe: Recipe, count: int = 3) -> None:
    """Print rendered training examples (trained vs masked tokens, passages included) and the data statistics.

    Args:
        count: How many examples to show.
    """
    from slm_recipes.assembly.data import recipe_datamodule
    from slm_recipes.cli.inspection import print_inspection

    datamodule = recipe_datamodule(recipe)
    datamodule.prepare_data()  # as `slm fit` does: the dataset and the index are made or refreshed first
    print_inspection(datamodule, count=count)
