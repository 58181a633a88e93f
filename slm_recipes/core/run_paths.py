"""Every folder and file a run reads or writes, named in this one place.

A recipe names a run (`name`) and its model; from those come the training folder
`logs/<name>/<model>/` (event files, `checkpoints/`, `adapter/`), the shipping folder
`exports/<name>/` (`merged/`, GGUF files, Modelfiles, `eval/` reports; `export.output_dir` moves all
of it) and the data folder `data/<name>/` (chunks, distilled pairs, dataset, caches, index), whose
files a recipe may also place one by one. Paths are relative to the folder the command runs in.

This module imports nothing of the project, so every layer may ask it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LOG_ROOT = Path("logs")
EXPORT_ROOT = Path("exports")
DATA_ROOT = Path("data")
CHECKPOINTS = "checkpoints"
ADAPTER = "adapter"
EVAL = "eval"
LAST_CHECKPOINT = "last.ckpt"


@dataclass(frozen=True)
class RunPaths:
    """The run's paths; `None` fields take their place under `data/<name>/` or `exports/<name>/`."""

    name: str
    model_name: str
    export_dir_override: str | None = None  # export.output_dir
    chunks_file: str | None = None  # ingest.output
    distilled_file: str | None = None  # distill.output
    dataset_folder: str | None = None  # curate.output_dir
    distill_cache_folder: str | None = None  # distill.cache_dir
    review_folder: str | None = None  # curate.review_dir
    index_folder: str | None = None  # retrieval.index

    # --- training: logs/<name>/<model>/ ---------------------------------------------------------------

    @property
    def log_root(self) -> Path:
        return LOG_ROOT

    @property
    def model_folder(self) -> str:
        """The model's own folder name (Qwen2.5-3B-Instruct): one run folder per model size."""
        return Path(self.model_name.rstrip("/")).name

    @property
    def run_dir(self) -> Path:
        return LOG_ROOT / self.name / self.model_folder

    @property
    def checkpoints_dir(self) -> Path:
        return self.run_dir / CHECKPOINTS

    def checkpoint(self, given: str) -> Path:
        """`last` is the run's latest checkpoint; anything else is a path."""
        return self.checkpoints_dir / LAST_CHECKPOINT if given == "last" else Path(given)

    @property
    def adapter_dir(self) -> Path:
        return adapter_dir_in(self.run_dir)

    # --- shipping: exports/<name>/ --------------------------------------------------------------------

    @property
    def export_dir(self) -> Path:
        return Path(self.export_dir_override) if self.export_dir_override else EXPORT_ROOT / self.name

    @property
    def merged_dir(self) -> Path:
        return self.export_dir / "merged"

    def gguf_file(self, gguf_type: str) -> Path:
        return self.export_dir / f"{self.name}-{gguf_type}.gguf"

    def modelfile(self, gguf_type: str | None = None) -> Path:
        """`Modelfile` (the first type's) or `Modelfile.<type>`."""
        return self.export_dir / (f"Modelfile.{gguf_type}" if gguf_type else "Modelfile")

    @property
    def eval_dir(self) -> Path:
        return eval_dir_in(self.export_dir)

    # --- data: data/<name>/ ---------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return DATA_ROOT / self.name

    @property
    def chunks(self) -> Path:
        return Path(self.chunks_file) if self.chunks_file else self.data_dir / "chunks.jsonl"

    @property
    def distilled(self) -> Path:
        return Path(self.distilled_file) if self.distilled_file else self.data_dir / "distilled.jsonl"

    @property
    def dataset_dir(self) -> Path:
        return Path(self.dataset_folder) if self.dataset_folder else self.data_dir / "dataset"

    @property
    def distill_cache_dir(self) -> Path:
        return Path(self.distill_cache_folder) if self.distill_cache_folder else self.data_dir / "cache" / "distill"

    @property
    def review_dir(self) -> Path:
        """The review sample and decisions sit beside the dataset folder."""
        return Path(self.review_folder) if self.review_folder else self.dataset_dir.parent / "review"

    @property
    def index_dir(self) -> Path:
        """The retrieval index over the chunks, beside them."""
        return Path(self.index_folder) if self.index_folder else self.chunks.parent / "index"


def adapter_dir_in(run_dir: str | Path) -> Path:
    """Where a run folder keeps its PEFT adapter (the SaveAdapter callback writes it)."""
    return Path(run_dir) / ADAPTER


def eval_dir_in(folder: str | Path) -> Path:
    """Where the QA evaluation writes its reports under a shipping (or a trainer's root) folder."""
    return Path(folder) / EVAL


def key_states_file(distill_cache_dir: str | Path) -> Path:
    """How the last distill run left each API key (fingerprints only), in the distill cache."""
    return Path(distill_cache_dir) / "key_states.json"


def stamp_file(output: str | Path) -> Path:
    """The up-to-date stamp beside a stage's output."""
    output = Path(output)
    return output.with_name(output.name + ".stamp")


def failures_file(output: str | Path) -> Path:
    """Units no teacher answered, beside the distill output (`<stem>.failures.jsonl`)."""
    output = Path(output)
    return output.with_name(f"{output.stem}.failures.jsonl")


def journal_file(output: str | Path) -> Path:
    """The journal of an unfinished distill run, beside its output (`<name>.journal`)."""
    output = Path(output)
    return output.with_name(output.name + ".journal")
