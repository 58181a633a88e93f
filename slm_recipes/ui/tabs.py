"""The page's tabs, one function each: it lays out its components, wires its buttons, and returns what the timer
refreshes (`Live`). Every button runs the command of the same name (`Page.start`) or the same procedure."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slm_recipes.core.errors import RecipeError, error_line
from slm_recipes.curate.review import COLUMNS
from slm_recipes.export.config import ALL_TYPES
from slm_recipes.ui import views
from slm_recipes.ui.scalars import CHARTS, chart_rows, read_scalars

REVIEW_COLUMNS = list(COLUMNS)  # sample.csv's, as `slm review export` writes them


@dataclass
class Live:
    """Components the page's timer refreshes, and the function that gives their values in the same order."""

    outputs: list[Any]
    values: Callable[[], tuple]


def job_outputs(kind: str) -> tuple[Any, Any, Any]:
    """Status, progress line and output of a kind of job."""
    import gradio as gr

    status = gr.Textbox(label="status", lines=2, interactive=False, elem_id=f"{kind}-status")
    progress = gr.Textbox(label="progress", interactive=False, elem_id=f"{kind}-progress")
    log = gr.Textbox(label="output", lines=10, max_lines=20, interactive=False, autoscroll=True,
                     elem_id=f"{kind}-log", elem_classes=["command-output"])
    return status, progress, log


def documents(page, app) -> Live:
    import gradio as gr
    from gradio.utils import get_upload_folder

    recipe, chunks_file = page.recipe, page.recipe.paths.chunks
    with gr.Tab("Documents"):
        upload = gr.File(label=f"Upload documents ({', '.join(recipe.ui.upload_types)}; at most "
                               f"{recipe.ui.max_upload_mb:g} MB each) into {page.documents_dir}",
                         file_count="multiple", file_types=list(recipe.ui.upload_types))
        upload_said = gr.Textbox(label="upload", interactive=False, elem_id="upload-said")
        with gr.Row():
            ingest_button = gr.Button("Ingest", variant="primary", elem_id="ingest")
            skip_bad = gr.Checkbox(label="skip bad documents (--skip-bad)", value=False)
        job = job_outputs("ingest")
        docs = gr.Dataframe(headers=["document", "chunks", "pages", "characters (chunk overlap counted)"],
                            label="documents", interactive=False, elem_id="documents")
        query = gr.Textbox(label="search chunks", placeholder=page.example_question(), elem_id="search")
        chunks_table = gr.Dataframe(headers=["chunk", "document", "pages", "text"], label="chunks", wrap=True,
                                    interactive=False)
    # the raw file data, so the name the browser gave is judged (gradio's own processing would strip it)
    upload.upload(lambda files: (page.add_documents(files, Path(get_upload_folder())), None), inputs=upload,
                  outputs=[upload_said, upload], preprocess=False)
    ingest_button.click(lambda skip: page.start("ingest", ["ingest"], ["--skip-bad"] if skip else []),
                        inputs=skip_bad, outputs=job[0])
    query.change(lambda text: views.search_chunks(views.when_changed(chunks_file, views.read_jsonl), text),
                 inputs=query, outputs=chunks_table)
    app.load(lambda: views.search_chunks(views.when_changed(chunks_file, views.read_jsonl), ""), outputs=chunks_table)
    return Live([*job, docs], lambda: (*page.job_view("ingest"),
                                       views.documents(views.when_changed(chunks_file, views.read_jsonl))))


def distill(page, app) -> Live:
    import gradio as gr

    paths = page.recipe.paths
    with gr.Tab("Distill"):
        teachers = gr.Textbox(label="teachers, in order (distill.teachers)", value=", ".join(page.recipe.distill.teachers),
                              elem_id="teachers")
        keys = gr.Textbox(label="keys (masked)", lines=4, interactive=False)
        with gr.Row():
            distill_button = gr.Button("Distill", variant="primary", elem_id="distill")
            distill_stop = gr.Button("Stop", elem_id="distill-stop")
        job = job_outputs("distill")
        preview = gr.Dataframe(headers=["question", "answer", "stage", "document", "pages"], label="distilled pairs",
                               wrap=True, interactive=False, elem_id="preview")

    def start(names: str) -> str:
        chosen = [n.strip() for n in names.split(",") if n.strip()]
        if not chosen:
            return error_line("name at least one teacher")
        return page.start("distill", ["distill"], ["--distill.teachers", json.dumps(chosen)])

    app.load(page.keys_text, outputs=keys)
    distill_button.click(start, inputs=teachers, outputs=job[0])
    distill_stop.click(lambda: page.jobs.stop("distill"), outputs=job[0])
    return Live([*job, preview], lambda: (*page.job_view("distill"),
                                          views.distilled_preview(views.when_changed(paths.distilled, views.read_preview))))


def curate(page, app) -> Live:
    import gradio as gr
    import pandas as pd

    recipe, paths = page.recipe, page.recipe.paths
    with gr.Tab("Curate and review"):
        curate_button = gr.Button("Curate", variant="primary", elem_id="curate")
        job = job_outputs("curate")
        summary = gr.Markdown(elem_id="report")
        reasons = gr.Dataframe(headers=["rejected because", "pairs"], interactive=False)
        histogram = gr.BarPlot(x="score", y="pairs", title="score histogram", elem_id="histogram")
        with gr.Row():
            sample_button = gr.Button("Make a review sample")
            save_button = gr.Button("Save decisions", variant="primary")
        review = gr.Dataframe(headers=REVIEW_COLUMNS, interactive=True, wrap=True,
                              label="review sample: fill decision (accept / reject) or corrected_answer")
        review_said = gr.Textbox(label="review", interactive=False)

    def make_sample():
        from slm_recipes.curate.review import export_sample

        try:
            csv_path, _, count = export_sample(recipe.curate, paths)
        except RecipeError as err:
            return [], error_line(err)
        return page.review_rows(), f"review sample of {count} record(s): {csv_path}"

    def values() -> tuple:
        report = views.when_changed(paths.data_report_json, views.read_report)
        return (*page.job_view("curate"), views.report_summary(report), views.rejection_rows(report),
                pd.DataFrame(views.histogram_rows(report), columns=["score", "pairs"]))

    curate_button.click(lambda: page.start("curate", ["curate"]), outputs=job[0])
    sample_button.click(make_sample, outputs=[review, review_said])
    save_button.click(page.save_review, inputs=review, outputs=review_said)
    app.load(page.review_rows, outputs=review)
    return Live([*job, summary, reasons, histogram], values)


def train(page, app) -> Live:
    import gradio as gr
    import pandas as pd

    paths = page.recipe.paths
    with gr.Tab("Train"):
        gr.Markdown(f"`slm fit` runs as its own process and goes on if this page closes. TensorBoard: "
                    f"`tensorboard --logdir {paths.log_root}` (this run: `{paths.run_dir}`).")
        with gr.Row():
            fit_button = gr.Button("Start training", variant="primary", elem_id="fit")
            fit_stop = gr.Button("Stop", elem_id="fit-stop")
        job = job_outputs("fit")
        points = gr.Textbox(label="logged", interactive=False, elem_id="points")
        plots = [gr.LinePlot(x="step", y="value", color="tag", title=name, x_title="step") for name in CHARTS]

    def values() -> tuple:
        rows = read_scalars(paths.run_dir)
        loss = [r for r in rows if r["tag"] == "train/loss_step"]
        return (*page.job_view("fit"), f"{len(loss)} training loss points, {len(rows)} scalars in all",
                *(pd.DataFrame(chart_rows(rows, name), columns=["tag", "step", "value"]) for name in CHARTS))

    fit_button.click(lambda: page.start("fit", ["fit"]), outputs=job[0])
    fit_stop.click(lambda: page.jobs.stop("fit"), outputs=job[0])
    return Live([*job, points, *plots], values)


def evaluate(page, app) -> Live:
    import gradio as gr

    files = page.recipe.paths.eval
    with gr.Tab("Evaluate"):
        eval_button = gr.Button("Evaluate (closed and open book)", variant="primary", elem_id="eval")
        job = job_outputs("eval")
        eval_report = gr.Markdown()
        failing = gr.Dataframe(headers=["", "question", "answer", "reference", "missing", "invented", "passages"],
                               wrap=True, interactive=False, label="questions, failing first")

    def report():
        latest = files.latest_rows()
        text = files.report.read_text(encoding="utf-8") if files.report.is_file() else "No evaluation report yet."
        return text, views.evaluation_rows(views.read_jsonl(latest)) if latest else []

    eval_button.click(lambda: page.start("eval", ["eval"]), outputs=job[0])
    job[0].change(report, outputs=[eval_report, failing])
    app.load(report, outputs=[eval_report, failing])
    return Live(list(job), lambda: page.job_view("eval"))


def chat(page, app) -> Live:
    import gradio as gr

    recipe = page.recipe
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
        message = gr.Textbox(label="message", placeholder=page.example_question(), elem_id="message")
        turns = gr.State([])

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
            history[-1] = {"role": "assistant", "content": error_line(err)}
            yield history, clean[:-1], ""
            return
        yield history, [*clean, {"role": "assistant", "content": answer}], ""

    message.submit(ask, inputs=[message, chatbot, turns, kind, artefact, temperature, max_new, open_book],
                   outputs=[chatbot, turns, message])
    return Live([], tuple)


def export(page, app) -> Live:
    import gradio as gr

    recipe = page.recipe
    with gr.Tab("Export"):
        gguf = gr.CheckboxGroup(list(ALL_TYPES), value=list(recipe.export.gguf), label="GGUF types")
        verify = gr.Checkbox(value=recipe.export.verify, label="verify each GGUF against the merged model")
        export_button = gr.Button("Export", variant="primary", elem_id="export")
        job = job_outputs("export")
        files = gr.File(label="files to download", file_count="multiple", interactive=False, elem_id="export-files")

    def start(types: list[str], check: bool) -> str:
        chosen = ["--gguf", ",".join(types)] if types else ["--export.gguf", "[]"]
        return page.start("export", ["export"], chosen + ([] if check else ["--no-verify"]))

    export_button.click(start, inputs=[gguf, verify], outputs=job[0])
    return Live([*job, files], lambda: (*page.job_view("export"),
                                        [str(f) for f in recipe.paths.shipped_files()] or None))


TABS = (documents, distill, curate, train, evaluate, chat, export)
