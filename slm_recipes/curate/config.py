"""The `curate:` section of a recipe."""

from __future__ import annotations

from pathlib import Path

from slm_recipes.errors import RecipeError


class CurateConfig:
    """Settings of the curate stage; jsonargparse exposes each parameter as `curate.<name>`."""

    def __init__(
        self,
        chunks: str = "data/chunks.jsonl",
        distilled: str = "data/distilled.jsonl",
        output_dir: str = "data/dataset",
        min_score: int = 60,
        dedup_threshold: float = 0.85,
        numeric_share_target: float = 0.3,
        split_ratios: list[float] | None = None,
        seed: int = 42,
        review_file: str | None = None,
        review_dir: str | None = None,
        review_fraction: float = 0.1,
    ) -> None:
        """Describe which QA pairs to check and where the dataset goes.

        Args:
            chunks: The chunks.jsonl the pairs were distilled from (their source passages).
            distilled: The distilled.jsonl to curate.
            output_dir: Folder for train/val/test/rejected.jsonl and report.md/report.json.
            min_score: Records scoring below this (0-100) are rejected as `low_score`.
            dedup_threshold: Character-bigram Jaccard similarity at which two questions are duplicates.
            numeric_share_target: The report warns when fewer kept pairs than this share state a number.
            split_ratios: Shares of source chunks for train, val and test (default 0.8, 0.1, 0.1).
            seed: Seed of the split by chunk and of the review sample.
            review_file: Human decisions to apply (written by `slm review import`); None means
                `<review_dir>/decisions.jsonl` when it exists.
            review_dir: Folder for the review sample (CSV, HTML) and decisions; None means `review/` beside output_dir.
            review_fraction: Share of the curated records that `slm review export` samples.
        """
        self.chunks = chunks
        self.distilled = distilled
        self.output_dir = output_dir
        self.min_score = min_score
        self.dedup_threshold = dedup_threshold
        self.numeric_share_target = numeric_share_target
        self.split_ratios = list(split_ratios) if split_ratios is not None else [0.8, 0.1, 0.1]
        self.seed = seed
        self.review_file = review_file
        self.review_dir = review_dir
        self.review_fraction = review_fraction
        if len(self.split_ratios) != 3 or min(self.split_ratios) < 0 or abs(sum(self.split_ratios) - 1) > 1e-6:
            raise RecipeError(f"curate.split_ratios must be three shares (train, val, test) summing to 1, got {self.split_ratios}")
        if not 0 < dedup_threshold <= 1:
            raise RecipeError(f"curate.dedup_threshold must be in (0, 1], got {dedup_threshold}")

    def review_folder(self) -> Path:
        return Path(self.review_dir) if self.review_dir else Path(self.output_dir).parent / "review"

    def decisions_file(self) -> Path:
        return Path(self.review_file) if self.review_file else self.review_folder() / "decisions.jsonl"
