"""The web app's page (Gradio Blocks): one tab per stage, each button running what the CLI runs.

Ingest, distill, curate, fit, eval and export run as the `slm` commands themselves, detached
(`Jobs`), so their output, progress lines, errors and files are the CLI's, and they go on when the
page is closed; the page reattaches on load. The review is saved with `import_decisions`, as
`slm review import` saves it; chat loads the model in this process, as `slm chat` does.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from slm_recipes.core.errors import RecipeError, error_line
from slm_recipes.recipe.recipe import Recipe
from slm_recipes.ui import tabs
from slm_recipes.ui.chat_session import ChatSession
from slm_recipes.ui.jobs import Jobs
from slm_recipes.ui.tabs import REVIEW_COLUMNS
from slm_recipes.ui.uploads import save_upload

LOG_LINES = 40
CSS = ".command-output textarea { font-family: ui-monospace, monospace; white-space: pre; }"  # the CLI's tables


class Page:
    """The recipe, its folders and the page's jobs: what every tab reads."""

    def __init__(self, recipe: Recipe, arguments: list[str]) -> None:
        self.recipe = recipe
        self.documents_dir = recipe.paths.documents_dir
        self.jobs = Jobs(recipe.paths, arguments)
        self.chat = ChatSession(recipe)

    def documents_arguments(self) -> list[str]:
        """With uploaded documents: the override that makes a command read them beside ingest.sources."""
        if not self.documents_dir.is_dir() or not any(p.is_file() for p in self.documents_dir.iterdir()):
            return []
        return ["--ingest.sources", json.dumps([*self.recipe.ingest.sources, str(self.documents_dir)],
                                               ensure_ascii=False)]

    def add_documents(self, files: list[dict[str, Any]] | None, upload_folder: Path) -> str:
        """Save uploads (the browser's file data: the name it gave, where the upload landed) into the documents
        folder, and make every command read that folder beside ingest.sources."""
        if not files:
            return "No file chosen."
        said = []
        for file in files:
            path = Path(str(file.get("path", "")))
            name = str(file.get("orig_name") or path.name)
            try:
                if not path.resolve().is_relative_to(upload_folder.resolve()):
                    raise RecipeError(f"upload {name!r} refused: it did not come through this page's upload")
                said.append(f"saved {save_upload(path, name, self.documents_dir, self.recipe.ui)}")
            except RecipeError as err:
                said.append(error_line(err))
        return "\n".join(said)

    def job_view(self, kind: str) -> tuple[str, str, str]:
        """(status line, progress line, the output's last lines) of a kind of job."""
        state = self.jobs.state(kind)
        if state is None:
            return f"{kind}: not run from this page yet", "", ""
        tail = "\n".join(state.output.splitlines()[-LOG_LINES:])
        status = state.summary + (f"\n{state.last_error()}" if state.last_error() and not state.running else "")
        return status, state.progress, tail

    def start(self, kind: str, command: list[str], extra: list[str] | None = None) -> str:
        try:
            return self.jobs.start(kind, command, [*self.documents_arguments(), *(extra or [])]).summary
        except RecipeError as err:
            return error_line(err)

    def example_question(self) -> str:
        """A question to show as an example: the recipe's first evaluation question, else the lexicon's."""
        from slm_recipes.datamodules.questions import load_questions
        from slm_recipes.text.lexicon import load_lexicon

        eval_file = self.recipe.eval_file
        if eval_file and Path(eval_file).is_file():
            found = load_questions(eval_file, limit=1)
            if found:
                return found[0].question
        return load_lexicon(self.recipe.lexicon).sample_question

    def keys_text(self) -> str:
        """`slm keys` for the recipe: each key masked (its last characters), never the key itself."""
        run = subprocess.run([sys.executable, "-m", "slm_recipes.cli", "keys", *self.jobs.arguments,
                              *self.documents_arguments()],
                             capture_output=True, text=True, timeout=60, check=False)
        return (run.stdout + run.stderr).strip()

    def review_rows(self) -> list[list[Any]]:
        sample = self.recipe.paths.review_sample
        if not sample.is_file():
            return []
        with sample.open(encoding="utf-8-sig", newline="") as handle:
            return [[row.get(c, "") for c in REVIEW_COLUMNS] for row in csv.DictReader(handle)]

    def save_review(self, rows: Any) -> str:
        """The edited sample, written back as sample.csv and imported as `slm review import` imports it."""
        from slm_recipes.core.atomic import AtomicTextFile
        from slm_recipes.curate.review import import_decisions

        records = rows.values.tolist() if hasattr(rows, "values") else list(rows or [])
        if not records:
            return "No review sample: make one first."
        sample = self.recipe.paths.review_sample
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(REVIEW_COLUMNS)
        writer.writerows([["" if v is None else v for v in row] for row in records])
        with AtomicTextFile(sample, encoding="utf-8-sig", newline="") as handle:
            handle.write(buffer.getvalue())
        try:
            counts = import_decisions(sample, self.recipe.paths)
        except RecipeError as err:
            return error_line(err)
        return (f"saved {sample}: {counts['accept']} accepted ({counts['corrected']} corrected), {counts['reject']} "
                f"rejected; they apply on the next Curate")


def build(page: Page):
    """The Blocks app of `page`: a header, one tab per stage, and one timer that refreshes what the tabs show."""
    import gradio as gr

    recipe, paths = page.recipe, page.recipe.paths
    with gr.Blocks(title=f"slm · {recipe.name}") as app:
        gr.Markdown(f"# slm · {recipe.name}\nModel `{recipe.model_name}` · data `{paths.data_dir}` · "
                    f"training `{paths.run_dir}` · exports `{paths.export_dir}`")
        live = [tab(page, app) for tab in tabs.TABS]
        outputs = [component for part in live for component in part.outputs]

        def refresh() -> tuple:
            return tuple(value for part in live for value in part.values())

        gr.Timer(1.0).tick(refresh, outputs=outputs, show_progress="hidden")
        app.load(refresh, outputs=outputs)
    return app
