"""Every folder and file a run reads or writes, named in this one place.

A recipe names a run (`name`) and its model; from those come the training folder
`logs/<name>/<model>/` (event files, `checkpoints/`, `adapter/`), the page's folder `logs/<name>/ui/`,
the shipping folder `exports/<name>/` (`merged/`, GGUF files, Modelfiles, `eval/` reports;
`export.output_dir` moves all of it) and the data folder `data/<name>/` (chunks, distilled pairs, dataset,
review, caches, index, uploaded documents), whose files a recipe may also place one by one. Paths are
relative to `root`, the folder the command runs in unless a test says otherwise; a placement the recipe
gives is taken as it is. Side files (stamps, journals, checksums, staging and lock files) are named here too,
beside whatever they belong to.

This module imports nothing of the project, so every layer may ask it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

SPLITS = ("train", "val", "test")


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def stamp_file(output: Path) -> Path:
    """The up-to-date stamp beside a stage's output."""
    return _beside(output, ".stamp")


def lock_file(output: Path) -> Path:
    """The lock a run holds while it writes `output`."""
    return _beside(output, ".lock")


def staging_file(target: Path) -> Path:
    """The hidden file `target` is written into before it is renamed into place."""
    return target.with_name(f".{target.name}.partial")


def probe_file(target: Path) -> Path:
    """The empty file that shows `target`'s folder can be written, before any work."""
    return target.with_name(f".{target.name}.probe")


def staging_dir(target: Path) -> Path:
    """The hidden folder `target` is built in before it is swapped in whole."""
    return target.with_name(f".{target.name}.staging")


def retired_dir(target: Path) -> Path:
    """Where the folder being replaced waits while the new one is swapped in."""
    return target.with_name(f".{target.name}.old")


def checksum_file(path: Path) -> Path:
    """`<file>.sha256`, in `sha256sum -c` format."""
    return _beside(path, ".sha256")


def rejected_file(path: Path) -> Path:
    """Where a file that failed its verification is moved, so nobody ships it by mistake."""
    return _beside(path, ".rejected")


def float_source_file(gguf: Path) -> Path:
    """The hidden f16 GGUF that llama.cpp's quantizer reads to write `gguf`."""
    return gguf.with_name(f".{gguf.stem}.f16-source.gguf")


def cache_entry(cache_dir: Path, key: str) -> Path:
    """One cached teacher reply, in a subfolder by the key's first two characters."""
    return cache_dir / key[:2] / f"{key}.json"


def adapter_dir_in(run_dir: str | Path) -> Path:
    """Where a run folder keeps its PEFT adapter (the SaveAdapter callback writes it under the trainer's log_dir)."""
    return Path(run_dir) / "adapter"


@dataclass(frozen=True)
class IndexFiles:
    """The retrieval index's folder: passages, the BM25 index and/or the embeddings, and the manifest."""

    folder: Path

    @property
    def passages(self) -> Path:
        return self.folder / "passages.jsonl"

    @property
    def bm25(self) -> Path:
        return self.folder / "bm25"

    @property
    def dense(self) -> Path:
        return self.folder / "dense.npy"

    @property
    def manifest(self) -> Path:
        return self.folder / "manifest.json"


@dataclass(frozen=True)
class EvalFiles:
    """The evaluation reports: per label (`base`, `tuned-closed`, `gguf`, ...) its rows and metrics, and report.md."""

    folder: Path

    def rows(self, label: str) -> Path:
        return self.folder / f"{label}.jsonl"

    def metrics(self, label: str) -> Path:
        return self.folder / f"{label}.metrics.json"

    @property
    def report(self) -> Path:
        return self.folder / "report.md"

    def latest_rows(self) -> Path | None:
        """The rows written last (the page shows them), None before any evaluation."""
        found = [p for p in self.folder.glob("*.jsonl")] if self.folder.is_dir() else []
        return max(found, key=lambda p: p.stat().st_mtime, default=None)


@dataclass(frozen=True)
class JobFiles:
    """A job the page started: its state, its output and the time a stop was asked."""

    state: Path
    log: Path
    stop: Path


@dataclass(frozen=True)
class RunPaths:
    """The run's paths; a placement left `None` takes its place under `data/<name>/` or `exports/<name>/`."""

    name: str
    model_name: str
    root: Path = Path(".")
    export_folder: Path | None = None  # export.output_dir
    chunks_file: Path | None = None  # ingest.output
    distilled_file: Path | None = None  # distill.output
    dataset_folder: Path | None = None  # curate.output_dir
    distill_cache_folder: Path | None = None  # distill.cache_dir
    review_folder: Path | None = None  # curate.review_dir
    decisions_placed: Path | None = None  # curate.review_file
    index_folder: Path | None = None  # retrieval.index
    documents_folder: Path | None = None  # ui.documents_dir

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in ("name", "model_name") and value is not None and not isinstance(value, Path):
                object.__setattr__(self, f.name, Path(value))

    # --- training: logs/<name>/<model>/ ---------------------------------------------------------------

    @property
    def log_root(self) -> Path:
        return self.root / "logs"

    @property
    def model_folder(self) -> str:
        """The model's own folder name (Qwen2.5-3B-Instruct): one run folder per model size."""
        return Path(self.model_name.rstrip("/")).name

    @property
    def run_dir(self) -> Path:
        return self.log_root / self.name / self.model_folder

    @property
    def checkpoints_dir(self) -> Path:
        return self.run_dir / "checkpoints"

    def checkpoint(self, given: str) -> Path:
        """`last` is the run's latest checkpoint; anything else is a path."""
        return self.checkpoints_dir / "last.ckpt" if given == "last" else Path(given)

    @property
    def adapter_dir(self) -> Path:
        return adapter_dir_in(self.run_dir)

    # --- the page: logs/<name>/ui/ ----------------------------------------------------------------------

    @property
    def ui_dir(self) -> Path:
        return self.log_root / self.name / "ui"

    def job(self, kind: str) -> JobFiles:
        name = kind.replace(" ", "-")
        return JobFiles(self.ui_dir / f"{name}.json", self.ui_dir / f"{name}.log", self.ui_dir / f"{name}.stop")

    # --- shipping: exports/<name>/ --------------------------------------------------------------------

    @property
    def export_dir(self) -> Path:
        return self.export_folder or self.root / "exports" / self.name

    @property
    def merged_dir(self) -> Path:
        return self.export_dir / "merged"

    def gguf_file(self, gguf_type: str) -> Path:
        return self.export_dir / f"{self.name}-{gguf_type}.gguf"

    def modelfile(self, gguf_type: str | None = None) -> Path:
        """`Modelfile` (the first type's) or `Modelfile.<type>`."""
        return self.export_dir / (f"Modelfile.{gguf_type}" if gguf_type else "Modelfile")

    def shipped_files(self) -> list[Path]:
        """The GGUF files and Modelfiles in the shipping folder, to download."""
        folder = self.export_dir
        return sorted([*folder.glob("*.gguf"), *folder.glob("Modelfile*")]) if folder.is_dir() else []

    @property
    def eval(self) -> EvalFiles:
        return EvalFiles(self.export_dir / "eval")

    # --- data: data/<name>/ ---------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self.root / "data" / self.name

    @property
    def documents_dir(self) -> Path:
        """Documents uploaded through the page."""
        return self.documents_folder or self.data_dir / "documents"

    @property
    def chunks(self) -> Path:
        return self.chunks_file or self.data_dir / "chunks.jsonl"

    @property
    def distilled(self) -> Path:
        return self.distilled_file or self.data_dir / "distilled.jsonl"

    @property
    def distill_failures(self) -> Path:
        """Units no teacher answered, beside the distill output (`<stem>.failures.jsonl`)."""
        return self.distilled.with_name(f"{self.distilled.stem}.failures.jsonl")

    @property
    def distill_journal(self) -> Path:
        """The journal of an unfinished distill run, beside its output."""
        return _beside(self.distilled, ".journal")

    @property
    def distill_cache_dir(self) -> Path:
        return self.distill_cache_folder or self.data_dir / "cache" / "distill"

    @property
    def key_states(self) -> Path:
        """How the last distill run left each API key (fingerprints only), in the distill cache."""
        return self.distill_cache_dir / "key_states.json"

    @property
    def dataset_dir(self) -> Path:
        return self.dataset_folder or self.data_dir / "dataset"

    def split(self, name: str) -> Path:
        """train.jsonl, val.jsonl, test.jsonl or rejected.jsonl of the dataset."""
        return self.dataset_dir / f"{name}.jsonl"

    @property
    def data_report(self) -> Path:
        return self.dataset_dir / "report.md"

    @property
    def data_report_json(self) -> Path:
        return self.dataset_dir / "report.json"

    @property
    def review_dir(self) -> Path:
        """The review sample and decisions sit beside the dataset folder."""
        return self.review_folder or self.dataset_dir.parent / "review"

    @property
    def review_sample(self) -> Path:
        """The sample to edit (CSV); `review_page` is the same sample to read."""
        return self.review_dir / "sample.csv"

    @property
    def review_page(self) -> Path:
        return self.review_dir / "sample.html"

    @property
    def decisions(self) -> Path:
        """The human decisions curate applies (written by `slm review import`)."""
        return self.decisions_placed or self.review_dir / "decisions.jsonl"

    @property
    def index(self) -> IndexFiles:
        """The retrieval index over the chunks, beside them."""
        return IndexFiles(self.index_folder or self.chunks.parent / "index")
