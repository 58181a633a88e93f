"""The `curate:` section of a recipe."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from slm_recipes.core.errors import RecipeError


@dataclass(frozen=True)
class CurateConfig:
    """Which QA pairs to check and where the dataset goes.

    Args:
        output_dir: Folder for train/val/test/rejected.jsonl and report.md/report.json; default data/<name>/dataset.
        min_score: Records scoring below this (0-100) are rejected as `low_score`.
        dedup_threshold: Character-bigram Jaccard similarity at which two questions are duplicates.
        numeric_share_target: The report warns when fewer kept pairs than this share state a number.
        coverage_target: The report warns when a document's numeric facts stated by a training pair are fewer
            than this share.
        split: `variant`: every fact trains, one question of each fact asked several ways goes to val (val loss
            measures answering a known fact asked otherwise); `chunk`: whole chunks go to train, val and test by
            `split_ratios` (val/test measure reading passages never trained on).
        split_ratios: Shares of source chunks for train, val and test (with `split: chunk`).
        seed: Seed of the split by chunk and of the review sample.
        review_file: Human decisions to apply (written by `slm review import`); None means
            `<review_dir>/decisions.jsonl` when it exists.
        review_dir: Folder for the review sample (CSV, HTML) and decisions; default `review/` beside output_dir.
        review_fraction: Share of the curated records that `slm review export` samples.
    """

    output_dir: str | None = None
    min_score: int = 60
    dedup_threshold: float = 0.85
    numeric_share_target: float = 0.3
    coverage_target: float = 0.95
    split: Literal["variant", "chunk"] = "variant"
    split_ratios: list[float] = field(default_factory=lambda: [0.8, 0.1, 0.1])
    seed: int = 42
    review_file: str | None = None
    review_dir: str | None = None
    review_fraction: float = 0.1

    def __post_init__(self) -> None:
        ratios = list(self.split_ratios) if self.split_ratios is not None else [0.8, 0.1, 0.1]
        object.__setattr__(self, "split_ratios", ratios)
        if len(ratios) != 3 or min(ratios) < 0 or abs(sum(ratios) - 1) > 1e-6:
            raise RecipeError(f"curate.split_ratios must be three shares (train, val, test) summing to 1, got {ratios}")
        if not 0 < self.dedup_threshold <= 1:
            raise RecipeError(f"curate.dedup_threshold must be in (0, 1], got {self.dedup_threshold}")
        if not 0 <= self.coverage_target <= 1:
            raise RecipeError(f"curate.coverage_target must be a share in [0, 1], got {self.coverage_target}")
        if not 0 < self.review_fraction <= 1:
            raise RecipeError(f"curate.review_fraction must be in (0, 1], got {self.review_fraction}")
