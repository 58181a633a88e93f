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
from pathlib import Path
from typing import Any

from lightning.pytorch.utilities import rank_zero_info

from slm_recipes.curate.config import CurateConfig
from slm_recipes.distill.config import DistillConfig
from slm_recipes.core.errors import RunFailed
from slm_recipes.ingest.config import IngestConfig
from slm_recipes.retrieval.config import RetrievalConfig
from slm_recipes.retrieval.open_book import OpenBook
from slm_recipes.core.run_paths import stamp_file


class DataStages:
    """The recipe's `ingest:`, `distill:`, `curate:` and `retrieval:` sections (paths resolved), run for the DataModule."""

    def __init__(self, ingest: IngestConfig, distill: DistillConfig, curate: CurateConfig,
                 retrieval: RetrievalConfig) -> None:
        self.ingest = ingest
        self.distill = distill
        self.curate = curate
        self.retrieval = retrieval

    def produces(self, train_file: str) -> bool:
        """True when the training file is the curate stage's output, i.e. the pipeline makes it."""
        return Path(train_file).resolve().parent == Path(str(self.curate.output_dir)).resolve()

    def ensure(self, model_name: str) -> None:
        """Bring chunks, distilled pairs and the dataset up to date with the recipe."""
        from slm_recipes.curate.pipeline import run_curate
        from slm_recipes.distill.pipeline import run_distill
        from slm_recipes.distill.prompts import prompt_files
        from slm_recipes.distill.registry import build_teachers

        self.ensure_chunks(model_name)
        _run_stage("distill", dataclasses.asdict(self.distill),
                   [str(self.distill.chunks)] + [str(p) for p in prompt_files(self.distill.prompts_dir)],
                   Path(str(self.distill.output)),
                   lambda: run_distill(self.distill, build_teachers(self.distill)))
        review = self.curate.decisions_file()
        inputs = [str(self.curate.chunks), str(self.curate.distilled)] + ([str(review)] if review.is_file() else [])
        _run_stage("curate", dataclasses.asdict(self.curate), inputs, Path(str(self.curate.output_dir)) / "train.jsonl",
                   lambda: run_curate(self.curate))

    def ensure_index(self, model_name: str) -> None:
        """Bring the chunks and the retrieval index over them up to date."""
        from slm_recipes.retrieval.index import build_index, index_problem

        if self.ingest.sources:
            self.ensure_chunks(model_name)
        config = self.retrieval
        problem = index_problem(config, str(config.chunks), str(config.index))
        if problem is None:
            rank_zero_info(f"index: {config.index} is up to date; reused")
            return
        rank_zero_info(f"index: {problem}; building it")
        count = build_index(config, str(config.chunks), str(config.index))
        rank_zero_info(f"index: {count} passages ({config.unit}s, {config.retriever}) in {config.index}")

    def open_book(self, tokenizer: Any) -> OpenBook:
        """The retriever over the (up-to-date) index, measuring passages with `tokenizer`."""
        from slm_recipes.retrieval.index import Retriever

        config = self.retrieval
        retriever = Retriever(config, str(config.index), str(config.chunks))
        return OpenBook(retriever, lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"]))

    def ensure_chunks(self, model_name: str) -> None:
        from slm_recipes.ingest.pipeline import run_ingest
        from slm_recipes.ingest.sources import resolve_sources
        from slm_recipes.hub.tokenizers import token_counter, tokenizer_files

        tokenizer = self.ingest.tokenizer or model_name
        sources = [str(p) for p in resolve_sources(self.ingest.sources)]
        _run_stage("ingest", {**dataclasses.asdict(self.ingest), "tokenizer": tokenizer},
                   sources + [str(p) for p in tokenizer_files(tokenizer)], Path(str(self.ingest.output)),
                   lambda: run_ingest(self.ingest, token_counter(tokenizer)))


def stamp(settings: dict[str, Any], inputs: list[str]) -> str:
    """Hash of a stage's settings and the bytes of every file it reads."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for path in inputs:
        digest.update(path.encode())
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _run_stage(name: str, settings: dict[str, Any], inputs: list[str], output: Path, run: Callable[[], Any]) -> None:
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
