"""Ask a model the recipe's questions and score the answers: numbers strictly, keywords, format, consistency.

One procedure for the QA evaluation at the end of `slm fit`, in `slm validate` and in `slm eval`: the
questions (the eval file, else the validation examples), the answers closed book and, for a model trained
open-book, from the retrieved passages (with retrieval recall@k and citation correctness), the scores and the
report. The Lightning callback adds only when it runs, each rank's share and the logging.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from slm_recipes.core.progress import Progress
from slm_recipes.core.run_paths import EvalFiles
from slm_recipes.datamodules.formats import Example
from slm_recipes.datamodules.questions import EvalQuestion, from_examples, load_chunks, load_questions
from slm_recipes.evaluation.config import EvaluationConfig
from slm_recipes.evaluation.metrics import QAMetrics
from slm_recipes.evaluation.report import question_row, write_results
from slm_recipes.evaluation.retrieval_metrics import retrieval_metrics, retrieval_row
from slm_recipes.generation.answers import answer_questions
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.retrieval.open_book import OpenBook
from slm_recipes.text.lexicon import Lexicon

Scores = tuple[dict[str, float], list[dict[str, Any]]]


def eval_questions(config: EvaluationConfig, eval_file: str | None, system_prompt: str | None,
                   val_examples: list[Example] | None = None) -> list[EvalQuestion]:
    """The questions to ask: `eval_file` (e.g. person-written paraphrases), else the validation examples; at most
    `max_questions`. The source texts come from the records, or from `config.chunks_file` by chunk id."""
    chunks_file = config.chunks_file
    if eval_file:
        questions = load_questions(eval_file, system_prompt, chunks_file)
    else:
        questions = from_examples(val_examples or [], system_prompt, load_chunks(chunks_file) if chunks_file else None)
    limit = config.max_questions
    return questions[:limit] if limit else questions


def books(label: str, open_book: OpenBook | None) -> list[tuple[str, OpenBook | None]]:
    """The settings a model is asked in: closed book alone, or closed (`<label>-closed`) then open book (`<label>`)."""
    return [(f"{label}-closed", None), (label, open_book)] if open_book is not None else [(label, None)]


class Evaluator:
    """The evaluation's settings and metrics; `score` answers and scores one share of the questions."""

    def __init__(self, config: EvaluationConfig, lexicon: Lexicon) -> None:
        self.config, self.lexicon = config, lexicon
        self.metrics = QAMetrics(lexicon)

    def score(self, model: torch.nn.Module, tokenizer: Any, questions: list[EvalQuestion], mine: list[int],
              settings: GenerationSettings | None = None, sample: bool = True,
              on_batch: Callable[[int], None] | None = None, open_book: OpenBook | None = None) -> Scores:
        """Answer the questions at indices `mine` (open-book with `open_book`) and score them: the QA metrics (synced
        across ranks when a process group runs) and a row per question (with where its gold passage ranked).

        `on_batch` is told how many answers each finished batch gave (a progress bar)."""
        settings = settings or self.config.generation
        answers = answer_questions(model, tokenizer, [questions[i].prompt for i in mine], settings, open_book,
                                   self.config.seed, on_batch=on_batch)
        samples = self._samples(model, tokenizer, questions, mine, open_book) if sample else [[] for _ in mine]
        own = [questions[i] for i in mine]
        if open_book is not None:  # a number the shown passages state is a wrong one if anything, not invented
            own = [replace(q, source="\n".join([q.source, *(p.text for p in a.passages)]).strip())
                   for q, a in zip(own, answers)]
        self.metrics.to(next(model.parameters()).device).reset()
        self.metrics.update([q.question for q in own], [q.reference for q in own], [a.text for a in answers],
                            [a.ended for a in answers], [q.source for q in own], samples)
        rows = [question_row(q, a, s, self.lexicon) for q, a, s in zip(own, answers, samples)]
        if open_book is not None:
            for q, a, row in zip(own, answers, rows):
                row.update(retrieval_row(open_book, q, a))
        return self.metrics.compute(), rows

    def _samples(self, model: torch.nn.Module, tokenizer: Any, questions: list[EvalQuestion],
                 mine: list[int], open_book: OpenBook | None = None) -> list[list[str]]:
        """Sampled answers for an evenly spread subset of the questions; [] for the others."""
        samples: list[list[str]] = [[] for _ in mine]
        per_question = self.config.consistency_samples
        count = min(self.config.consistency_questions, len(questions)) if per_question > 1 else 0
        if not count:
            return samples
        chosen = {round(k * len(questions) / count) for k in range(count)}
        picked = [n for n, i in enumerate(mine) if i in chosen]
        prompts = [questions[mine[n]].prompt for n in picked for _ in range(per_question)]
        settings = self.config.consistency_generation
        texts = [g.text for g in answer_questions(model, tokenizer, prompts, settings, open_book, self.config.seed + 1)]
        for k, n in enumerate(picked):
            samples[n] = texts[k * per_question:(k + 1) * per_question]
        return samples


def with_retrieval_metrics(values: dict[str, float], rows: list[dict[str, Any]], open_book: OpenBook | None
                           ) -> dict[str, float]:
    """The QA metrics and, open book, recall@k and citation correctness over `rows` (every rank's)."""
    return {**values, **(retrieval_metrics(rows) if open_book is not None else {})}


def evaluate(model: torch.nn.Module, tokenizer: Any, questions: list[EvalQuestion], config: EvaluationConfig,
             lexicon: Lexicon, files: EvalFiles, label: str, open_book: OpenBook | None = None
             ) -> tuple[dict[str, dict[str, float]], Path]:
    """One process asks every question in each setting of `books` and writes the report: the figures by label and
    the report's path."""
    evaluator = Evaluator(config, lexicon)
    results: dict[str, dict[str, float]] = {}
    report = files.report
    for name, book in books(label, open_book):
        with Progress(f"eval {name}", total=len(questions), unit="questions") as bar:
            values, rows = evaluator.score(model, tokenizer, questions, list(range(len(questions))),
                                           on_batch=bar.advance, open_book=book)
        results[name] = with_retrieval_metrics(values, rows, book)
        report = write_results(files, name, rows, results[name])
    return results, report
