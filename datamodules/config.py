"""The recipe's `data:` section (`data.init_args`): what `DistilledQADataModule` takes, typed and checked once.

Every command reads the same frozen `DataConfig`; `slm fit` hands the same values to the DataModule, whose
`__init__` takes exactly these arguments (and the two the CLI links in: `model_name` and `stages`) and
documents them with this docstring, so the two cannot drift (a test compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from slm_recipes.core.errors import RecipeError


@dataclass(frozen=True)
class DataConfig:
    """The training data and how it is rendered.

    Args:
        train_file: QA JSONL of DESIGN.md, or an alpaca / sharegpt / OpenAI-messages file (JSONL or a JSON array);
            unset in a recipe with `ingest.sources`: the run's own dataset (data/<name>/dataset/train.jsonl).
        val_file: Held-out file (unset with the run's own dataset: its val.jsonl); without it, `val_fraction` of
            the source chunks is held out.
        eval_file: Questions for the QA evaluation (e.g. person-written paraphrases); default: the val split.
        val_fraction: Share of chunks (`chunk_id`, else record id) held out for validation.
        split_seed: Seed of the chunk split; the same seed always gives the same split.
        max_length: Longest example in tokens; longer ones are dropped and counted, never cut.
        system_prompt: Prepended to conversations that bring no system message.
        batch_size: Micro-batch per device (with packing: as many tokens per micro-batch as that many examples
            carry on average).
        eval_batch_size: Micro-batch for validation (default: 2 x batch_size).
        num_workers: DataLoader worker processes.
        pad_to_multiple_of: Pad each batch's length up to a multiple of this (tensor-core friendly).
        seed: Seed of the length-grouped shuffling.
        packing: Train on rows of several whole examples (up to max_length tokens each), each example attending
            only to itself: no compute spent on padding, and about as many steps and tokens per step as
            unpacked. Validation stays unpacked, so val/loss compares with an unpacked run.
        context: What each question's user turn shows: `none` (closed book), `gold` (the retrieved passages
            with the gold one put in) or `raft` (as `gold`, and `no_gold_share` of the examples without the gold
            passage, answered with `retrieval.unanswerable`). Passages are never trained; every answer
            (`slm chat`, `predict`, `eval`) then retrieves the same way.
        no_gold_share: Share of `raft` examples shown distractors only.
    """

    train_file: str | None = None
    val_file: str | None = None
    eval_file: str | None = None
    val_fraction: float = 0.1
    split_seed: int = 42
    max_length: int = 512
    system_prompt: str | None = None
    batch_size: int = 1
    eval_batch_size: int | None = None
    num_workers: int = 0
    pad_to_multiple_of: int = 8
    seed: int = 42
    packing: bool = False
    context: Literal["none", "gold", "raft"] = "none"
    no_gold_share: float = 0.2

    def __post_init__(self) -> None:
        if self.context not in ("none", "gold", "raft"):
            raise RecipeError(f"data.init_args.context must be none, gold or raft, got {self.context!r}")
        if not 0 <= self.no_gold_share < 1:
            raise RecipeError(f"data.init_args.no_gold_share must be in [0, 1), got {self.no_gold_share}")
        if self.max_length < 1 or self.batch_size < 1:
            raise RecipeError(f"data.init_args.max_length and batch_size must be at least 1, got {self.max_length} and "
                              f"{self.batch_size}")

    @property
    def open_book(self) -> bool:
        """Trained to read passages (`context` gold or raft): every answer then retrieves."""
        return self.context != "none"


def documented_with(extra: str) -> str:
    """DataConfig's docstring with `extra` argument lines added: the DataModule's `__init__` documentation."""
    doc = DataConfig.__doc__ or ""
    return doc.rstrip() + "\n" + extra.strip("\n") + "\n"
