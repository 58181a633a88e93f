"""ingest → distill → curate (→ index) as a full run's data preparation, each stage rerun only when needed.

A stage reruns when its output is missing or when the stamp beside it (a hash of the stage's
settings and of every file it reads: its inputs, the tokenizer that measures chunks, the prompt
files) differs; otherwise its output is reused as it is. Distillation is cheap to rerun anyway:
its teacher replies are cached per chunk. The retrieval index carries its own manifest (the chunks'
hash and the index settings) and is rebuilt when either changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lightning.pytorch.utilities import rank_zero_info

from slm_recipes.core.errors import RunFailed
from slm_recipes.core.run_paths import RunPaths, stamp_file
from slm_recipes.curate.config import CurateConfig
from slm_recipes.distill.config import DistillConfig
from slm_recipes.ingest.config import IngestConfig
from slm_recipes.retrieval.config import RetrievalConfig
from slm_recipes.retrieval.open_book import OpenBook, open_book_over
from slm_recipes.text.lexicon import Lexicon


@dataclass(frozen=True)
class DataStages:
    """The recipe's `ingest:`, `distill:`, `curate:` and `retrieval:` sections, its paths and its lexicon, run for the
    DataModule."""

    ingest: IngestConfig
    distill: DistillConfig
    curate: CurateConfig
    retrieval: RetrievalConfig
    paths: RunPaths
    lexicon: Lexicon

    def produces(self, train_file: str) -> bool:
        """True when the training file is the curate stage's output, i.e. the pipeline makes it."""
        return Path(train_file).resolve().parent == self.paths.dataset_dir.resolve()

    def ensure(self, model_name: str) -> None:
        """Bring chunks, distilled pairs and the dataset up to date with the recipe."""
        from slm_recipes.curate.pipeline import run_curate
        from slm_recipes.distill.pipeline import run_distill
        from slm_recipes.distill.prompts import prompt_files
        from slm_recipes.distill.registry import build_teachers, teacher_versions

        paths = self.paths
        self.ensure_chunks(model_name)
        versions = teacher_versions(self.distill, self.lexicon)
        _run_stage("distill", {**dataclasses.asdict(self.distill), "teacher_versions": versions},
                   [paths.chunks, *prompt_files(self.distill.prompts_dir)], paths.distilled,
                   lambda: run_distill(self.distill, paths, build_teachers(self.distill, self.lexicon)))
        review = [paths.decisions] if paths.decisions.is_file() else []
        _run_stage("curate", {**dataclasses.asdict(self.curate), "lexicon": self.lexicon.digest},
                   [paths.chunks, paths.distilled, *review], paths.split("train"),
                   lambda: run_curate(self.curate, paths, self.lexicon))

    def ensure_index(self, model_name: str) -> None:
        """Bring the chunks and the retrieval index over them up to date."""
        from slm_recipes.retrieval.index import build_index, index_problem

        if self.ingest.sources:
            self.ensure_chunks(model_name)
        config, index = self.retrieval, self.paths.index.folder
        problem = index_problem(config, self.paths)
        if problem is None:
            rank_zero_info(f"index: {index} is up to date; reused")
            return
        rank_zero_info(f"index: {problem}; building it")
        count = build_index(config, self.paths)
        rank_zero_info(f"index: {count} passages ({config.unit}s, {config.retriever}) in {index}")

    def open_book(self, tokenizer: Any) -> OpenBook:
        """The retriever over the (up-to-date) index, measuring passages with `tokenizer`."""
        return open_book_over(self.retrieval, self.paths, tokenizer)

    def ensure_chunks(self, model_name: str) -> None:
        from slm_recipes.hub.tokenizers import token_counter, tokenizer_files
        from slm_recipes.ingest.pipeline import run_ingest
        from slm_recipes.ingest.sources import resolve_sources

        tokenizer = self.ingest.tokenizer or model_name
        _run_stage("ingest", {**dataclasses.asdict(self.ingest), "tokenizer": tokenizer},
                   [*resolve_sources(self.ingest.sources), *tokenizer_files(tokenizer)], self.paths.chunks,
                   lambda: run_ingest(self.ingest, self.paths, token_counter(tokenizer)))


def stamp(settings: dict[str, Any], inputs: list[Path]) -> str:
    """Hash of a stage's settings and the bytes of every file it reads."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for path in inputs:
        digest.update(str(path).encode())
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _run_stage(name: str, settings: dict[str, Any], inputs: list[Path], output: Path, run: Callable[[], Any]) -> None:
    """Reuse the output when its stamp matches; else run the stage, and stamp it only if no unit failed."""
    stamp_path = stamp_file(output)
    current = stamp(settings, inputs)
    if output.is_file() and stamp_path.is_file() and stamp_path.read_text() == current:
        rank_zero_info(f"{name}: {output} is up to date; reused")
        return
    rank_zero_info(f"{name}: making {output}")
    stamp_path.unlink(missing_ok=True)
    report = run()
    failed = getattr(report, "failure_summary", lambda: None)()
    if failed:  # never up to date: the next run retries exactly the failed units (the others are cached)
        raise RunFailed(failed)
    stamp_path.write_text(current)
