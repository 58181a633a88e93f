"""ingest → distill → curate as a full run's data preparation, each stage rerun only when needed.

A stage reruns when its output is missing or when the stamp beside it (a hash of the stage's
settings and of its input files) differs; otherwise its output is reused as it is. Distillation
is cheap to rerun anyway: its teacher replies are cached per chunk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lightning.pytorch.utilities import rank_zero_info

from slm_recipes.curate.config import CurateConfig
from slm_recipes.distill.config import DistillConfig
from slm_recipes.ingest.config import IngestConfig


class DataStages:
    """The recipe's `ingest:`, `distill:` and `curate:` sections, handed to the DataModule."""

    def __init__(self, ingest: IngestConfig, distill: DistillConfig, curate: CurateConfig) -> None:
        self.ingest = ingest
        self.distill = distill
        self.curate = curate

    def produces(self, train_file: str) -> bool:
        """True when the training file is the curate stage's output, i.e. the pipeline makes it."""
        return Path(train_file).resolve().parent == Path(self.curate.output_dir).resolve()

    def ensure(self, model_name: str) -> None:
        """Bring chunks, distilled pairs and the dataset up to date with the recipe."""
        from slm_recipes.curate.pipeline import run_curate
        from slm_recipes.distill.pipeline import run_distill
        from slm_recipes.distill.registry import build_teachers
        from slm_recipes.ingest.pipeline import run_ingest
        from slm_recipes.ingest.sources import resolve_sources
        from slm_recipes.tokenizers import token_counter

        sources = [str(p) for p in resolve_sources(self.ingest.sources)]
        _run_stage("ingest", self.ingest, sources, Path(self.ingest.output),
                   lambda: run_ingest(self.ingest, token_counter(self.ingest.tokenizer or model_name)))
        _run_stage("distill", self.distill, [self.distill.chunks], Path(self.distill.output),
                   lambda: run_distill(self.distill, build_teachers(self.distill)))
        review = self.curate.decisions_file()
        inputs = [self.curate.chunks, self.curate.distilled] + ([str(review)] if review.is_file() else [])
        _run_stage("curate", self.curate, inputs, Path(self.curate.output_dir) / "train.jsonl",
                   lambda: run_curate(self.curate))


def stamp(settings: Any, inputs: list[str]) -> str:
    """Hash of a stage's settings and the bytes of its input files."""
    digest = hashlib.sha256(json.dumps(vars(settings), sort_keys=True, default=str).encode())
    for path in inputs:
        digest.update(path.encode())
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _run_stage(name: str, settings: Any, inputs: list[str], output: Path, run: Callable[[], Any]) -> None:
    stamp_file = output.with_name(output.name + ".stamp")
    current = stamp(settings, inputs)
    if output.is_file() and stamp_file.is_file() and stamp_file.read_text() == current:
        rank_zero_info(f"{name}: {output} is up to date; reused")
        return
    rank_zero_info(f"{name}: making {output}")
    run()
    stamp_file.write_text(current)
