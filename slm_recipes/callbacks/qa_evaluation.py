"""Generate answers to held-out questions and score them: numbers strictly, keywords, format, consistency.

Runs every `evaluation.every_n_epochs` epochs and at the end of fit (label `tuned`), and in
`slm validate` (label `base` without `--ckpt_path`, so a user sees base vs tuned). A model trained
open-book (`data.init_args.context`) is asked open-book, as it will be used, and closed-book beside it
(`tuned-closed`), with retrieval recall@k and citation correctness. Logs every metric
to the run's loggers, a text table of sample answers to TensorBoard, and writes the per-question
JSONL and the Markdown report to the run's `eval/` folder (exports/<name>/eval/ or export.output_dir).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.strategies import FSDPStrategy
from lightning.pytorch.utilities import rank_zero_info, rank_zero_warn

from slm_recipes.datamodules.questions import EvalQuestion, from_examples, load_chunks, load_questions
from slm_recipes.evaluation.metrics import QAMetrics
from slm_recipes.evaluation.report import markdown_cell, question_row, verdict, write_results
from slm_recipes.evaluation.config import EvaluationConfig
from slm_recipes.generation.answers import Generated, answer_questions
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.core.progress import Progress
from slm_recipes.retrieval.gold import gold_passage
from slm_recipes.retrieval.open_book import OpenBook
from slm_recipes.core.run_paths import eval_dir_in

SMOKE_NEW_TOKENS = 32


class QAEvaluation(L.Callback):
    """Asks the recipe's questions and scores the answers; its settings are the recipe's `evaluation:` section.

    The CLI adds it to every `slm fit` and `slm validate` (unless `evaluation.enabled` is false), so a
    recipe tunes it without restating the callbacks list.
    """

    def __init__(self, settings: EvaluationConfig | None = None, output_dir: str | Path | None = None) -> None:
        """
        Args:
            settings: What to ask and how (the `evaluation:` section).
            output_dir: Where the JSONL and Markdown report go (the run's `RunPaths.eval_dir`); default
                `eval/` under the trainer's root folder.
        """
        self.config = settings or EvaluationConfig()
        self.settings = self.config.generation
        self.output_dir = output_dir
        self.metrics = QAMetrics()
        self.last: dict[str, float] = {}
        self._questions: list[EvalQuestion] | None = None
        self._evaluated_step: int | None = None

    # --- when -------------------------------------------------------------------------------------------

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        every = self.config.every_n_epochs
        if every and (trainer.current_epoch + 1) % every == 0:
            self.evaluate(trainer, pl_module, "tuned")

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self._evaluated_step != trainer.global_step:
            self.evaluate(trainer, pl_module, "tuned")

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.state.fn == "validate" and not trainer.sanity_checking:
            self.evaluate(trainer, pl_module, "tuned" if trainer.ckpt_path else "base")

    # --- what -------------------------------------------------------------------------------------------

    def evaluate(self, trainer: L.Trainer, pl_module: L.LightningModule, label: str) -> dict[str, float]:
        """Open-book models: closed-book first (`<label>-closed`), then as used; returns the last figures."""
        self._evaluated_step = trainer.global_step
        if isinstance(trainer.strategy, FSDPStrategy):
            # each rank generates answers of its own lengths, and a sharded forward is a collective of every rank
            rank_zero_warn("the QA evaluation does not run under FSDP (ranks would wait on each other's answers); "
                           "after fit, `slm eval --config ...` scores the adapter on one GPU")
            return {}
        open_book = getattr(trainer.datamodule, "open_book", None)
        if open_book is not None:
            self._evaluate(trainer, pl_module, f"{label}-closed", None)
        return self._evaluate(trainer, pl_module, label, open_book)

    def _evaluate(self, trainer: L.Trainer, pl_module: L.LightningModule, label: str,
                  open_book: OpenBook | None) -> dict[str, float]:
        """Answer this rank's share of the questions, score them, log and write the report."""
        datamodule = trainer.datamodule
        questions = self.questions(datamodule)
        settings = self.settings
        smoke = isinstance(trainer.limit_val_batches, int)  # a debug overlay: a smoke test of the evaluation
        if smoke:
            questions = questions[: trainer.limit_val_batches * settings.batch_size * trainer.world_size]
            settings = replace(settings, max_new_tokens=min(settings.max_new_tokens, SMOKE_NEW_TOKENS))
        mine = list(range(trainer.global_rank, len(questions), trainer.world_size))
        model = pl_module.model if getattr(pl_module, "model", None) is not None else pl_module
        with trainer.precision_plugin.forward_context():  # the autocast training ran under (bf16/fp16 mixed)
            with Progress(f"QA evaluation ({label})", total=len(mine), unit="questions",
                          enabled=trainer.is_global_zero) as bar:
                values, rows = self.score(model, datamodule.tokenizer, questions, mine, settings, sample=not smoke,
                                          on_batch=bar.advance, open_book=open_book)
        rows = _gather(rows)
        if open_book is not None:
            values.update(retrieval_metrics(rows))  # from every rank's rows
        self.last = values
        if trainer.is_global_zero:
            self._log(trainer, {f"{k}{'_closed' if label.endswith('-closed') else ''}": v for k, v in values.items()},
                      rows)
            report = write_results(self._output_dir(trainer), label, rows, values)
            rank_zero_info(f"QA evaluation ({label}, {len(rows)} questions): "
                           + ", ".join(f"{k} {v:.3f}" for k, v in values.items() if k.startswith("qa/"))
                           + f"; report: {report}")
        return values

    def score(self, model: torch.nn.Module, tokenizer: Any, questions: list[EvalQuestion], mine: list[int],
              settings: GenerationSettings, sample: bool = True, on_batch: Callable[[int], None] | None = None,
              open_book: OpenBook | None = None) -> tuple[dict[str, float], list[dict[str, Any]]]:
        """Answer the questions at indices `mine` (open-book with `open_book`) and score them; metrics are
        synced across ranks.

        `on_batch` is told how many answers each finished batch gave (a progress bar)."""
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
        rows = [question_row(q, a, s) for q, a, s in zip(own, answers, samples)]
        if open_book is not None:
            for q, a, row in zip(own, answers, rows):
                row.update(retrieval_row(open_book, q, a))
        values = self.metrics.compute()
        values.update(retrieval_metrics(rows) if open_book is not None else {})
        return values, rows

    def questions(self, datamodule: Any) -> list[EvalQuestion]:
        if self._questions is None:
            system_prompt = datamodule.hparams.get("system_prompt")
            eval_file = datamodule.hparams.get("eval_file")
            chunks_file = self.config.chunks_file
            if eval_file:
                questions = load_questions(eval_file, system_prompt, chunks_file)
            else:
                chunks = load_chunks(chunks_file) if chunks_file else None
                questions = from_examples([item.example for item in datamodule.val_data.items], system_prompt, chunks)
            limit = self.config.max_questions
            self._questions = questions[:limit] if limit else questions
        return self._questions

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

    def _log(self, trainer: L.Trainer, values: dict[str, float], rows: list[dict[str, Any]]) -> None:
        step = trainer.global_step
        table = _table(sorted(rows, key=lambda r: r["passed"])[: self.config.table_rows])
        for logger in trainer.loggers:
            logger.log_metrics(values, step=step)
            experiment = getattr(logger, "experiment", None)
            if hasattr(experiment, "add_text"):
                experiment.add_text("qa/answers", table, global_step=step)
            logger.save()

    def _output_dir(self, trainer: L.Trainer) -> Path:
        return Path(self.output_dir) if self.output_dir else eval_dir_in(trainer.default_root_dir)


RECALL_AT = (1, 3, 5)


def retrieval_row(open_book: OpenBook, question: EvalQuestion, answer: Generated) -> dict[str, Any]:
    """Where the question's gold passage ranks, what the prompt showed and which passage the answer cites."""
    gold = gold_passage(open_book.retriever.passages, question.reference, question.meta.get("chunk_id"))
    ranked = [h.passage.id for h in open_book.search(question.question, max(RECALL_AT))]
    cited = answer.cited
    return {"gold_passage": gold.id if gold else None,
            "gold_rank": ranked.index(gold.id) + 1 if gold and gold.id in ranked else None,
            "sources": [{"passage": p.id, "chunk_id": p.chunk_id, "source": p.source} for p in answer.passages],
            "cited": cited.id if cited else None, "answerable": answer.answerable}


def retrieval_metrics(rows: list[dict[str, Any]]) -> dict[str, float]:
    """recall@k of the gold passage, and citation correctness (the passage the answer cites is the gold one)."""
    scored = [r for r in rows if r["gold_passage"]]
    if not scored:
        return {}
    out = {f"retrieval/recall@{k}": sum(r["gold_rank"] is not None and r["gold_rank"] <= k for r in scored) / len(scored)
           for k in RECALL_AT}
    out["retrieval/citation"] = sum(r["cited"] == r["gold_passage"] for r in scored) / len(scored)
    return out


def _table(rows: list[dict[str, Any]]) -> str:
    lines = ["| question | reference | answer | verdict |", "| --- | --- | --- | --- |"]
    for r in rows:
        lines.append("| " + " | ".join(markdown_cell(c) for c in (r["question"], r["reference"], r["answer"], verdict(r))) + " |")
    return "\n".join(lines)


def _gather(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every rank's rows, in question order (each rank answered every world_size-th question)."""
    if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
        return rows
    parts: list[list[dict[str, Any]] | None] = [None] * torch.distributed.get_world_size()
    torch.distributed.all_gather_object(parts, rows)
    out = []
    for k in range(max(len(p) for p in parts)):
        out += [p[k] for p in parts if k < len(p)]
    return out
