"""The recipe's `evaluation:` section: what the QA evaluation asks and how, at the end of fit, in validate and `slm eval`."""

from __future__ import annotations

from dataclasses import dataclass

from slm_recipes.core.errors import RecipeError
from slm_recipes.generation.config import GenerationSettings, check_sampling


@dataclass(frozen=True)
class EvaluationConfig:
    """Questions come from `data.init_args.eval_file` (e.g. person-written paraphrases), else the val split.

    Args:
        enabled: Run the QA evaluation at the end of `slm fit` and in `slm validate`.
        every_n_epochs: Also evaluate after every n-th training epoch (0: only at the end of fit).
        max_questions: Ask at most this many questions (the first ones; null: all). Under a debug overlay
            (an integer `trainer.limit_val_batches`) only that many batches, at most 32 new tokens, no sampling.
        max_new_tokens: Longest answer; an answer cut here is a run-on.
        batch_size: Questions generated together (left-padded).
        temperature: 0 = greedy; above 0 samples (with top_p).
        top_p: Nucleus sampling share (when temperature > 0).
        repetition_penalty: Hugging Face repetition penalty (1.0 = none).
        consistency_questions: How many questions are also sampled for the consistency metric (0: off).
        consistency_samples: Answers sampled per such question.
        consistency_temperature: Temperature of those samples.
        chunks_file: A chunks.jsonl whose texts (by `chunk_id`) also count as the questions' sources.
        table_rows: Sample answers in the TensorBoard text table (failing first).
        seed: Seed of sampled generation (training's random state is left untouched).
        grounded_numbers: Open-book answers state only numbers of their passages or question (as in `generation:`).
    """

    enabled: bool = True
    every_n_epochs: int = 0
    max_questions: int | None = 64
    max_new_tokens: int = 96
    batch_size: int = 8
    temperature: float = 0.0
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    consistency_questions: int = 4
    consistency_samples: int = 3
    consistency_temperature: float = 0.7
    chunks_file: str | None = None
    table_rows: int = 16
    seed: int = 0
    grounded_numbers: bool = True

    def __post_init__(self) -> None:
        if self.every_n_epochs < 0:
            raise RecipeError(f"evaluation.every_n_epochs must be 0 (end of fit only) or more, got {self.every_n_epochs}")
        if self.max_questions is not None and self.max_questions < 1:
            raise RecipeError(f"evaluation.max_questions must be at least 1 (null: all), got {self.max_questions}")
        for name in ("consistency_questions", "table_rows"):
            if getattr(self, name) < 0:
                raise RecipeError(f"evaluation.{name} must be 0 or more, got {getattr(self, name)}")
        if self.consistency_temperature <= 0 and self.consistency_questions and self.consistency_samples > 1:
            raise RecipeError("evaluation.consistency_temperature must be above 0 to sample several answers")
        check_sampling("evaluation", self.max_new_tokens, self.temperature, self.top_p, self.repetition_penalty,
                       self.batch_size)

    @property
    def generation(self) -> GenerationSettings:
        """The greedy (or sampled) answers' settings."""
        return GenerationSettings(max_new_tokens=self.max_new_tokens, temperature=self.temperature, top_p=self.top_p,
                                  repetition_penalty=self.repetition_penalty, batch_size=self.batch_size,
                                  grounded_numbers=self.grounded_numbers)

    @property
    def consistency_generation(self) -> GenerationSettings:
        """The settings of the answers sampled for the consistency metric."""
        return GenerationSettings(max_new_tokens=self.max_new_tokens, temperature=self.consistency_temperature,
                                  top_p=self.top_p, repetition_penalty=self.repetition_penalty, batch_size=self.batch_size,
                                  grounded_numbers=self.grounded_numbers)
