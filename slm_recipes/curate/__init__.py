"""Curation: check, score, de-duplicate and split distilled QA pairs into the training dataset."""

from slm_recipes.curate.config import CurateConfig
from slm_recipes.curate.pipeline import run_curate
from slm_recipes.curate.report import CurateReport

__all__ = ["CurateConfig", "CurateReport", "run_curate"]
