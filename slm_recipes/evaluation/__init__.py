"""QA evaluation: questions, batched generation, metrics (numbers scored strictly) and the base-vs-tuned report."""

from slm_recipes.evaluation.dataset import EvalQuestion, load_questions
from slm_recipes.evaluation.generation import Generated, GenerationSettings, generate_answers
from slm_recipes.evaluation.metrics import (
    AnswerFormat,
    HallucinatedNumbers,
    KeywordCoverage,
    NumberConsistency,
    NumericExactMatch,
    QAMetrics,
    StrictAccuracy,
)

__all__ = [
    "AnswerFormat", "EvalQuestion", "Generated", "GenerationSettings", "HallucinatedNumbers", "KeywordCoverage",
    "NumberConsistency", "NumericExactMatch", "QAMetrics", "StrictAccuracy", "generate_answers", "load_questions",
]
