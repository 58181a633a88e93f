"""Run the QA evaluation (`slm_recipes.evaluation.evaluator`) during training: when, on which rank, and logged where.

Runs every `evaluation.every_n_epochs` epochs and at the end of fit (label `tuned`), and in
`slm validate` (label `base` without `--ckpt_path`, so a user sees base vs tuned). A model trained
open-book (the DataModule has an open book) is asked closed-book (`tuned-closed`) and open-book. Each rank
answers every world_size-th question; the rows are gathered, every metric goes to the run's loggers with a
text table of sample answers in TensorBoard, and rank 0 writes the report to the run's eval folder.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import lightning as L
import torch
from lightning.pytorch.strategies import FSDPStrategy
from lightning.pytorch.utilities import rank_zero_info, rank_zero_warn

from slm_recipes.core.progress import Progress
from slm_recipes.core.run_paths import EvalFiles
from slm_recipes.datamodules.questions import EvalQuestion
from slm_recipes.evaluation.config import EvaluationConfig
from slm_recipes.evaluation.evaluator import Evaluator, books, eval_questions, with_retrieval_metrics
from slm_recipes.evaluation.report import markdown_cell, verdict, write_results
from slm_recipes.retrieval.open_book import OpenBook
from slm_recipes.text.lexicon import Lexicon

SMOKE_NEW_TOKENS = 32


class QAEvaluation(L.Callback):
    """Asks the recipe's questions and scores the answers; its settings are the recipe's `evaluation:` section.

    The CLI adds it to every `slm fit` and `slm validate` (unless `evaluation.enabled` is false), so a
    recipe tunes it without restating the callbacks list.
    """

    def __init__(self, settings: EvaluationConfig, files: EvalFiles, lexicon: Lexicon, eval_file: str | None = None,
                 system_prompt: str | None = None) -> None:
        """
        Args:
            settings: What to ask and how (the `evaluation:` section).
            files: Where the rows, metrics and report go (the run's `RunPaths.eval`).
            lexicon: The recipe's lexicon (the words the keyword metrics leave out).
            eval_file: The questions (`data.init_args.eval_file`); without it, the DataModule's validation examples.
            system_prompt: The system prompt training rendered the questions with.
        """
        self.config = settings
        self.files = files
        self.eval_file = eval_file
        self.system_prompt = system_prompt
        self.evaluator = Evaluator(settings, lexicon)
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

    # --- on which rank, logged where ------------------------------------------------------------------

    def evaluate(self, trainer: L.Trainer, pl_module: L.LightningModule, label: str) -> dict[str, float]:
        """Open-book models: closed-book first (`<label>-closed`), then as used; returns the last figures."""
        self._evaluated_step = trainer.global_step
        if isinstance(trainer.strategy, FSDPStrategy):
            # each rank generates answers of its own lengths, and a sharded forward is a collective of every rank
            rank_zero_warn("the QA evaluation does not run under FSDP (ranks would wait on each other's answers); "
                           "after fit, `slm eval --config ...` scores the adapter on one GPU")
            return {}
        for name, open_book in books(label, getattr(trainer.datamodule, "open_book", None)):
            self.last = self._evaluate(trainer, pl_module, name, open_book)
        return self.last

    def questions(self, datamodule: Any) -> list[EvalQuestion]:
        if self._questions is None:
            val = None if self.eval_file else datamodule.val_examples
            self._questions = eval_questions(self.config, self.eval_file, self.system_prompt, val)
        return self._questions

    def _evaluate(self, trainer: L.Trainer, pl_module: L.LightningModule, label: str,
                  open_book: OpenBook | None) -> dict[str, float]:
        """Answer this rank's share of the questions, score them, log and write the report."""
        questions = self.questions(trainer.datamodule)
        settings = self.config.generation
        smoke = isinstance(trainer.limit_val_batches, int)  # a debug overlay: a smoke test of the evaluation
        if smoke:
            questions = questions[: trainer.limit_val_batches * settings.batch_size * trainer.world_size]
            settings = replace(settings, max_new_tokens=min(settings.max_new_tokens, SMOKE_NEW_TOKENS))
        mine = list(range(trainer.global_rank, len(questions), trainer.world_size))
        model = pl_module.model if getattr(pl_module, "model", None) is not None else pl_module
        with trainer.precision_plugin.forward_context():  # the autocast training ran under (bf16/fp16 mixed)
            with Progress(f"QA evaluation ({label})", total=len(mine), unit="questions",
                          enabled=trainer.is_global_zero) as bar:
                values, rows = self.evaluator.score(model, trainer.datamodule.tokenizer, questions, mine, settings,
                                                    sample=not smoke, on_batch=bar.advance, open_book=open_book)
        rows = _gather(rows)
        values = with_retrieval_metrics(values, rows, open_book)
        if trainer.is_global_zero:
            self._log(trainer, {f"{k}{'_closed' if label.endswith('-closed') else ''}": v for k, v in values.items()},
                      rows)
            report = write_results(self.files, label, rows, values)
            rank_zero_info(f"QA evaluation ({label}, {len(rows)} questions): "
                           + ", ".join(f"{k} {v:.3f}" for k, v in values.items() if k.startswith("qa/"))
                           + f"; report: {report}")
        return values

    def _log(self, trainer: L.Trainer, values: dict[str, float], rows: list[dict[str, Any]]) -> None:
        step = trainer.global_step
        table = _table(sorted(rows, key=lambda r: r["passed"])[: self.config.table_rows])
        for logger in trainer.loggers:
            logger.log_metrics(values, step=step)
            experiment = getattr(logger, "experiment", None)
            if hasattr(experiment, "add_text"):
                experiment.add_text("qa/answers", table, global_step=step)
            logger.save()


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
