"""Generate answers to held-out questions and score them: numbers strictly, keywords, format, consistency.

Runs every `every_n_epochs` epochs and at the end of fit (label `tuned`), and in `slm validate`
(label `base` without `--ckpt_path`, so a user sees base vs tuned). Logs every metric to the
run's loggers, a text table of sample answers to TensorBoard, and writes the per-question JSONL
and the Markdown report to `exports/<name>/eval/`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.utilities import rank_zero_info

from slm_recipes.evaluation.dataset import EvalQuestion, from_examples, load_chunks, load_questions
from slm_recipes.evaluation.generation import GenerationSettings, generate_answers
from slm_recipes.evaluation.metrics import QAMetrics
from slm_recipes.evaluation.report import markdown_cell, question_row, verdict, write_results

SMOKE_NEW_TOKENS = 32


class QAEvaluation(L.Callback):
    def __init__(
        self,
        eval_file: str | None = None,
        chunks_file: str | None = None,
        every_n_epochs: int = 1,
        max_questions: int | None = 64,
        max_new_tokens: int = 96,
        batch_size: int = 8,
        temperature: float = 0.0,
        top_p: float = 1.0,
        repetition_penalty: float = 1.0,
        consistency_questions: int = 8,
        consistency_samples: int = 3,
        consistency_temperature: float = 0.7,
        table_rows: int = 16,
        output_dir: str | None = None,
        seed: int = 0,
    ) -> None:
        """
        Args:
            eval_file: Questions to ask (QA JSONL or any chat file the DataModule reads); default: the
                DataModule's `eval_file`, else its val split.
            chunks_file: chunks.jsonl whose texts (by `chunk_id`) also count as known numbers.
            every_n_epochs: Evaluate after every n-th training epoch (0: only at the end of fit).
            max_questions: Ask at most this many questions (the first ones; null: all). With an integer
                `trainer.limit_val_batches` (debug overlays) only that many batches, at most 32 new tokens, no sampling.
            max_new_tokens: Longest answer; an answer cut here is a run-on.
            batch_size: Questions generated together (left-padded).
            temperature: 0 = greedy; above 0 samples (with top_p).
            top_p: Nucleus sampling share (when temperature > 0).
            repetition_penalty: Hugging Face repetition penalty (1.0 = none).
            consistency_questions: How many questions are also sampled for the consistency metric (0: off).
            consistency_samples: Answers sampled per such question.
            consistency_temperature: Temperature of those samples.
            table_rows: Sample answers in the TensorBoard text table (failing first).
            output_dir: Where the JSONL and Markdown report go; default exports/<name>/eval.
            seed: Seed of sampled generation (training's random state is left untouched).
        """
        self.eval_file = eval_file
        self.chunks_file = chunks_file
        self.every_n_epochs = every_n_epochs
        self.max_questions = max_questions
        self.settings = GenerationSettings(max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p,
                                           repetition_penalty=repetition_penalty, batch_size=batch_size)
        self.consistency_questions = consistency_questions
        self.consistency_samples = consistency_samples
        self.consistency_temperature = consistency_temperature
        self.table_rows = table_rows
        self.output_dir = output_dir
        self.seed = seed
        self.metrics = QAMetrics()
        self.last: dict[str, float] = {}
        self._questions: list[EvalQuestion] | None = None
        self._evaluated_step: int | None = None

    # --- when -------------------------------------------------------------------------------------------

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self.every_n_epochs and (trainer.current_epoch + 1) % self.every_n_epochs == 0:
            self.evaluate(trainer, pl_module, "tuned")

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self._evaluated_step != trainer.global_step:
            self.evaluate(trainer, pl_module, "tuned")

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.state.fn == "validate" and not trainer.sanity_checking:
            self.evaluate(trainer, pl_module, "tuned" if trainer.ckpt_path else "base")

    # --- what -------------------------------------------------------------------------------------------

    def evaluate(self, trainer: L.Trainer, pl_module: L.LightningModule, label: str) -> dict[str, float]:
        """Answer this rank's share of the questions, score them, log and write the report."""
        self._evaluated_step = trainer.global_step
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
            values, rows = self.score(model, datamodule.tokenizer, questions, mine, settings, sample=not smoke)
        rows = _gather(rows)
        self.last = values
        if trainer.is_global_zero:
            self._log(trainer, values, rows)
            report = write_results(self._output_dir(trainer), label, rows, values)
            rank_zero_info(f"QA evaluation ({label}, {len(rows)} questions): "
                           + ", ".join(f"{k} {v:.3f}" for k, v in values.items() if k.startswith("qa/"))
                           + f"; report: {report}")
        return values

    def score(self, model: torch.nn.Module, tokenizer: Any, questions: list[EvalQuestion], mine: list[int],
              settings: GenerationSettings, sample: bool = True) -> tuple[dict[str, float], list[dict[str, Any]]]:
        """Answer the questions at indices `mine` and score them; metrics are synced across ranks."""
        answers = generate_answers(model, tokenizer, [questions[i].prompt for i in mine], settings, self.seed)
        samples = self._samples(model, tokenizer, questions, mine) if sample else [[] for _ in mine]
        own = [questions[i] for i in mine]
        self.metrics.to(next(model.parameters()).device).reset()
        self.metrics.update([q.question for q in own], [q.reference for q in own], [a.text for a in answers],
                            [a.ended for a in answers], [q.source for q in own], samples)
        return self.metrics.compute(), [question_row(q, a, s) for q, a, s in zip(own, answers, samples)]

    def questions(self, datamodule: Any) -> list[EvalQuestion]:
        if self._questions is None:
            system_prompt = datamodule.hparams.get("system_prompt")
            eval_file = self.eval_file or datamodule.hparams.get("eval_file")
            if eval_file:
                questions = load_questions(eval_file, system_prompt, self.chunks_file)
            else:
                chunks = load_chunks(self.chunks_file) if self.chunks_file else None
                questions = from_examples([item.example for item in datamodule.val_data.items], system_prompt, chunks)
            self._questions = questions[: self.max_questions] if self.max_questions else questions
        return self._questions

    def _samples(self, model: torch.nn.Module, tokenizer: Any, questions: list[EvalQuestion],
                 mine: list[int]) -> list[list[str]]:
        """Sampled answers for an evenly spread subset of the questions; [] for the others."""
        samples: list[list[str]] = [[] for _ in mine]
        count = min(self.consistency_questions, len(questions)) if self.consistency_samples > 1 else 0
        if not count:
            return samples
        chosen = {round(k * len(questions) / count) for k in range(count)}
        picked = [n for n, i in enumerate(mine) if i in chosen]
        prompts = [questions[mine[n]].prompt for n in picked for _ in range(self.consistency_samples)]
        settings = GenerationSettings(max_new_tokens=self.settings.max_new_tokens, temperature=self.consistency_temperature,
                                      top_p=self.settings.top_p, repetition_penalty=self.settings.repetition_penalty,
                                      batch_size=self.settings.batch_size)
        texts = [g.text for g in generate_answers(model, tokenizer, prompts, settings, self.seed + 1)]
        for k, n in enumerate(picked):
            samples[n] = texts[k * self.consistency_samples:(k + 1) * self.consistency_samples]
        return samples

    def _log(self, trainer: L.Trainer, values: dict[str, float], rows: list[dict[str, Any]]) -> None:
        step = trainer.global_step
        table = _table(sorted(rows, key=lambda r: r["passed"])[: self.table_rows])
        for logger in trainer.loggers:
            logger.log_metrics(values, step=step)
            experiment = getattr(logger, "experiment", None)
            if hasattr(experiment, "add_text"):
                experiment.add_text("qa/answers", table, global_step=step)
            logger.save()

    def _output_dir(self, trainer: L.Trainer) -> Path:
        if self.output_dir:
            return Path(self.output_dir)
        if trainer.logger is not None and trainer.logger.name:
            return Path("exports") / str(trainer.logger.name) / "eval"
        return Path(trainer.default_root_dir) / "eval"


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
