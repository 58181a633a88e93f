"""The distill stage: chunks.jsonl → QA pairs (distilled.jsonl) from a teacher LLM or the offline extractive teacher."""

from slm_recipes.distill.config import DistillConfig
from slm_recipes.distill.pipeline import run_distill
from slm_recipes.distill.report import DistillReport

__all__ = ["DistillConfig", "DistillReport", "run_distill"]
