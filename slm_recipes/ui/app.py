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

from slm_recipes.core.errors import RecipeError
from slm_recipes.curate.review import COLUMNS
from slm_recipes.export.config import ALL_TYPES
from slm_recipes.recipe.recipe import Recipe
from slm_recipes.ui import views
from slm_recipes.ui.chat_session import ChatSession
from slm_recipes.ui.jobs import Jobs
from slm_recipes.ui.scalars import CHARTS, chart_rows, read_scalars
from slm_recipes.ui.uploads import save_upload

REVIEW_COLUMNS = list(COLUMNS)  # sample.csv's, as `slm review export` writes them
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
                said.append(f"error: {err}")
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
            return f"error: {err}"

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
            return f"error: {err}"
        return (f"saved {sample}: {counts['accept']} accepted ({counts['corrected']} corrected), {counts['reject']} "
                f"rejected; they apply on the next Curate")


def build(page: Page):
    """The Blocks app of `page`."""
    import gradio as gr
    import pandas as pd

    recipe, paths = page.recipe, page.recipe.paths
    chunks_file = paths.chunks

    def job_outputs(kind: str):
        status = gr.Textbox(label="status", lines=2, interactive=False, elem_id=f"{kind}-status")
        progress = gr.Textbox(label="progress", interactive=False, elem_id=f"{kind}-progress")
        log = gr.Textbox(label="output", lines=10, max_lines=20, interactive=False, autoscroll=True,
                         elem_id=f"{kind}-log", elem_classes=["command-output"])
        return status, progress, log

    with gr.Blocks(title=f"slm · {recipe.name}") as app:
        gr.Markdown(f"# slm · {recipe.name}\nModel `{recipe.model_name}` · data `{paths.data_dir}` · "
                    f"training `{paths.run_dir}` · exports `{paths.export_dir}`")
        with gr.Tab("Documents"):
            upload = gr.File(label=f"Upload documents ({', '.join(recipe.ui.upload_types)}; at most "
                                   f"{recipe.ui.max_upload_mb:g} MB each) into {page.documents_dir}",
                             file_count="multiple", file_types=list(recipe.ui.upload_types))
            upload_said = gr.Textbox(label="upload", interactive=False, elem_id="upload-said")
            with gr.Row():
                ingest_button = gr.Button("Ingest", variant="primary", elem_id="ingest")
                skip_bad = gr.Checkbox(label="skip bad documents (--skip-bad)", value=False)
            ingest_status, ingest_progress, ingest_log = job_outputs("ingest")
            docs = gr.Dataframe(headers=["document", "chunks", "pages", "characters (chunk overlap counted)"], label="documents", interactive=False,
                                elem_id="documents")
            query = gr.Textbox(label="search chunks", placeholder="住宿费")
            chunks_table = gr.Dataframe(headers=["chunk", "document", "pages", "text"], label="chunks", wrap=True,
                                        interactive=False)
        with gr.Tab("Distill"):
            teachers = gr.Textbox(label="teachers, in order (distill.teachers)", value=", ".join(recipe.distill.teachers),
                                  elem_id="teachers")
            keys = gr.Textbox(label="keys (masked)", lines=4, interactive=False)
            with gr.Row():
                distill_button = gr.Button("Distill", variant="primary", elem_id="distill")
                distill_stop = gr.Button("Stop", elem_id="distill-stop")
            distill_status, distill_progress, distill_log = job_outputs("distill")
            preview = gr.Dataframe(headers=["question", "answer", "stage", "document", "pages"], label="distilled pairs",
                                   wrap=True, interactive=False, elem_id="preview")
        with gr.Tab("Curate and review"):
            curate_button = gr.Button("Curate", variant="primary", elem_id="curate")
            curate_status, curate_progress, curate_log = job_outputs("curate")
            summary = gr.Markdown(elem_id="report")
            reasons = gr.Dataframe(headers=["rejected because", "pairs"], interactive=False)
            histogram = gr.BarPlot(x="score", y="pairs", title="score histogram", elem_id="histogram")
            with gr.Row():
                sample_button = gr.Button("Make a review sample")
                save_button = gr.Button("Save decisions", variant="primary")
            review = gr.Dataframe(headers=REVIEW_COLUMNS, interactive=True, wrap=True,
                                  label="review sample: fill decision (accept / reject) or corrected_answer")
            review_said = gr.Textbox(label="review", interactive=False)
        with gr.Tab("Train"):
            gr.Markdown(f"`slm fit` runs as its own process and goes on if this page closes. TensorBoard: "
                        f"`tensorboard --logdir {paths.log_root}` (this run: `{paths.run_dir}`).")
            with gr.Row():
                fit_button = gr.Button("Start training", variant="primary", elem_id="fit")
                fit_stop = gr.Button("Stop", elem_id="fit-stop")
            fit_status, fit_progress, fit_log = job_outputs("fit")
            points = gr.Textbox(label="logged", interactive=False, elem_id="points")
            plots = {name: gr.LinePlot(x="step", y="value", color="tag", title=name, x_title="step")
                     for name in CHARTS}
        with gr.Tab("Evaluate"):
            eval_button = gr.Button("Evaluate (closed and open book)", variant="primary", elem_id="eval")
            eval_status, eval_progress, eval_log = job_outputs("eval")
            eval_report = gr.Markdown()
            failing = gr.Dataframe(headers=["", "question", "answer", "reference", "missing", "invented", "passages"],
                                   wrap=True, interactive=False, label="questions, failing first")
        with gr.Tab("Chat"):
            with gr.Row():
                kind = gr.Radio(["auto", "adapter", "merged", "gguf"], value="auto", label="model")
                artefact = gr.Textbox(label="path (for adapter, merged, gguf)")
            with gr.Row():
                temperature = gr.Slider(0, 1.5, value=recipe.generation.temperature, step=0.05, label="temperature")
                max_new = gr.Slider(8, 1024, value=recipe.generation.max_new_tokens, step=8, label="max new tokens")
                open_book = gr.Checkbox(value=recipe.open_book, label="open book (retrieve passages)",
                                        interactive=recipe.open_book)
            chatbot = gr.Chatbot(label="chat", elem_id="chatbot", height=360)
            message = gr.Textbox(label="message", placeholder="住宿费每晚限额多少？", elem_id="message")
            turns = gr.State([])
        with gr.Tab("Export"):
            gguf = gr.CheckboxGroup(list(ALL_TYPES), value=list(recipe.export.gguf), label="GGUF types")
            verify = gr.Checkbox(value=recipe.export.verify, label="verify each GGUF against the merged model")
            export_button = gr.Button("Export", variant="primary", elem_id="export")
            export_status, export_progress, export_log = job_outputs("export")
            files = gr.File(label="files to download", file_count="multiple", interactive=False, elem_id="export-files")
        timer = gr.Timer(1.0)

        def refresh():
            chunks = views.when_changed(chunks_file, views.read_jsonl)
            report = views.when_changed(paths.data_report_json, views.read_report)
            rows = read_scalars(paths.run_dir)
            loss = [r for r in rows if r["tag"] == "train/loss_step"]
            return (*page.job_view("ingest"), views.documents(chunks),
                    *page.job_view("distill"),
                    views.distilled_preview(views.when_changed(paths.distilled, views.read_preview)),
                    *page.job_view("curate"), views.report_summary(report), views.rejection_rows(report),
                    pd.DataFrame(views.histogram_rows(report), columns=["score", "pairs"]),
                    *page.job_view("fit"), f"{len(loss)} training loss points, {len(rows)} scalars in all",
                    *(pd.DataFrame(chart_rows(rows, name), columns=["tag", "step", "value"]) for name in CHARTS),
                    *page.job_view("eval"), *page.job_view("export"), export_files())

        def export_files() -> list[str]:
            return [str(f) for f in paths.shipped_files()] or None

        refreshed = [ingest_status, ingest_progress, ingest_log, docs, distill_status, distill_progress, distill_log,
                     preview, curate_status, curate_progress, curate_log, summary, reasons, histogram,
                     fit_status, fit_progress, fit_log, points, *plots.values(), eval_status, eval_progress, eval_log,
                     export_status, export_progress, export_log, files]
        timer.tick(refresh, outputs=refreshed, show_progress="hidden")
        app.load(refresh, outputs=refreshed)
        app.load(page.keys_text, outputs=keys)

        from gradio.utils import get_upload_folder

        # the raw file data, so the name the browser gave is judged (gradio's own processing would strip it)
        upload.upload(lambda files: (page.add_documents(files, Path(get_upload_folder())), None), inputs=upload,
                      outputs=[upload_said, upload], preprocess=False)
        ingest_button.click(lambda skip: page.start("ingest", ["ingest"], ["--skip-bad"] if skip else []),
                            inputs=skip_bad, outputs=ingest_status)
        query.change(lambda text: views.search_chunks(views.when_changed(chunks_file, views.read_jsonl), text),
                     inputs=query, outputs=chunks_table)
        app.load(lambda: views.search_chunks(views.when_changed(chunks_file, views.read_jsonl), ""),
                 outputs=chunks_table)

        def distill(names: str) -> str:
            chosen = [n.strip() for n in names.split(",") if n.strip()]
            if not chosen:
                return "error: name at least one teacher"
            return page.start("distill", ["distill"], ["--distill.teachers", json.dumps(chosen)])

        distill_button.click(distill, inputs=teachers, outputs=distill_status)
        distill_stop.click(lambda: page.jobs.stop("distill"), outputs=distill_status)
        curate_button.click(lambda: page.start("curate", ["curate"]), outputs=curate_status)

        def make_sample():
            from slm_recipes.curate.review import export_sample

            try:
                csv_path, _, count = export_sample(recipe.curate, paths)
            except RecipeError as err:
                return [], f"error: {err}"
            return page.review_rows(), f"review sample of {count} record(s): {csv_path}"

        sample_button.click(make_sample, outputs=[review, review_said])
        save_button.click(page.save_review, inputs=review, outputs=review_said)
        app.load(page.review_rows, outputs=review)
        fit_button.click(lambda: page.start("fit", ["fit"]), outputs=fit_status)
        fit_stop.click(lambda: page.jobs.stop("fit"), outputs=fit_status)
        eval_button.click(lambda: page.start("eval", ["eval"]), outputs=eval_status)

        def evaluation():
            report = paths.eval.report
            latest = paths.eval.latest_rows()
            text = report.read_text(encoding="utf-8") if report.is_file() else "No evaluation report yet."
            return text, views.evaluation_rows(views.read_jsonl(latest)) if latest else []

        eval_status.change(evaluation, outputs=[eval_report, failing])
        app.load(evaluation, outputs=[eval_report, failing])

        def ask(text: str, history: list, clean: list, kind_: str, path: str, temp: float, tokens: int, book: bool):
            text = (text or "").strip()
            if not text:
                yield history, clean, ""
                return
            clean = [*clean, {"role": "user", "content": text}]
            history = [*history, {"role": "user", "content": text}, {"role": "assistant", "content": ""}]
            try:
                for answer, source in page.chat.answer(clean, kind_, path, temp, tokens, book):
                    history[-1] = {"role": "assistant", "content": answer + (f"\n\n*{source}*" if source else "")}
                    yield history, clean, ""
            except RecipeError as err:
                history[-1] = {"role": "assistant", "content": f"error: {err}"}
                yield history, clean[:-1], ""
                return
            yield history, [*clean, {"role": "assistant", "content": answer}], ""

        message.submit(ask, inputs=[message, chatbot, turns, kind, artefact, temperature, max_new, open_book],
                       outputs=[chatbot, turns, message])

        def export(types: list[str], check: bool) -> str:
            chosen = ["--gguf", ",".join(types)] if types else ["--export.gguf", "[]"]
            return page.start("export", ["export"], chosen + ([] if check else ["--no-verify"]))

        export_button.click(export, inputs=[gguf, verify], outputs=export_status)
    return app
