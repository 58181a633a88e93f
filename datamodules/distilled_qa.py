"""The DataModule for distilled QA pairs (and alpaca / sharegpt / OpenAI-messages files)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Literal

import lightning as L
import numpy as np
from lightning.pytorch.utilities import rank_zero_info, rank_zero_warn
from slm_recipes.datamodules.budget import answer_clauses, focused, narrowed, opening, window
from slm_recipes.datamodules.chat_encoding import EncodedChat, encode_chat, with_system_prompt
from slm_recipes.datamodules.collate import pad_batch
from slm_recipes.datamodules.config import DataConfig, documented_with
from slm_recipes.datamodules.formats import Example, load_examples
from slm_recipes.datamodules.packing import PackedBatchSampler, RowTagged, pack_batch, packed_rows
from slm_recipes.datamodules.preparation import DataPreparation
from slm_recipes.datamodules.sampler import LengthGroupedSampler
from slm_recipes.datamodules.splits import split_by_group
from torch.utils.data import DataLoader, Dataset

from slm_recipes.core.errors import RecipeError
from slm_recipes.hub.tokenizers import load_tokenizer
from slm_recipes.retrieval.gold import gold_passage
from slm_recipes.retrieval.open_book import OpenBook, last_question
from slm_recipes.retrieval.passages import Passage
from slm_recipes.retrieval.prompt import with_passages

DROPPED_WARNING = 0.01  # share of examples dropped for length from which `slm fit` warns


@dataclass(frozen=True)
class EncodedExample:
    example: Example
    encoded: EncodedChat
    passages: list[Passage] = field(default_factory=list)  # what the user turn shows (open-book training)


class EncodedDataset(Dataset):
    def __init__(self, items: list[EncodedExample]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, list[int]]:
        encoded = self.items[index].encoded
        return {"input_ids": encoded.input_ids, "labels": encoded.labels}

    @property
    def lengths(self) -> list[int]:
        return [len(item.encoded.input_ids) for item in self.items]


class DistilledQADataModule(L.LightningDataModule):
    def __init__(
        self,
        train_file: str | None = None,
        val_file: str | None = None,
        eval_file: str | None = None,
        val_fraction: float = 0.1,
        split_seed: int = 42,
        model_name: str = "",
        max_length: int = 512,
        system_prompt: str | None = None,
        batch_size: int = 1,
        eval_batch_size: int | None = None,
        num_workers: int = 0,
        pad_to_multiple_of: int = 8,
        seed: int = 42,
        packing: bool = False,
        context: Literal["none", "gold", "raft"] = "none",
        no_gold_share: float = 0.2,
        stages: DataPreparation | None = None,
    ) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["stages"])
        self.settings = DataConfig(**{f.name: self.hparams[f.name] for f in dataclasses.fields(DataConfig)})  # its checks
        self.stages = stages
        # Once per run, not per node: nodes share the run's folder, and two writers would race on the stage files
        # (and pay a teacher twice). The other ranks wait at Lightning's barrier, then read what rank 0 wrote.
        self.prepare_data_per_node = False
        self.open_book: OpenBook | None = None
        self.tokenizer = None
        self.train_data: EncodedDataset | None = None
        self.val_data: EncodedDataset | None = None
        self.stats: dict[str, float] = {}

    __init__.__doc__ = documented_with("""
        model_name: Whose tokenizer and chat template render the data (linked from the model).
        stages: The run's data preparation (linked by the CLI from the ingest/distill/curate sections); when
            `train_file` is its output, `prepare_data` brings it up to date first.""")

    def prepare_data(self) -> None:
        """Runs on global rank 0 only: make the dataset when the recipe's pipeline produces it."""
        if self.stages is not None and self.stages.produces(self.hparams.train_file):
            self.stages.ensure(self.hparams.model_name)
        if self.hparams.context != "none":
            self._stages().ensure_index(self.hparams.model_name)
        self._check_files()

    def _stages(self) -> DataPreparation:
        if self.stages is None:
            raise RecipeError(f"data.init_args.context {self.hparams.context} needs the recipe's retrieval index "
                              "(run through `slm fit`, which links the ingest and retrieval sections)")
        return self.stages

    def _check_files(self) -> None:
        if not self.hparams.train_file:
            raise RecipeError("the recipe names no training data: set data.init_args.train_file, or ingest.sources "
                              "for the run to make its own dataset")
        for path in (self.hparams.train_file, self.hparams.val_file, self.hparams.eval_file):
            if path and not Path(path).is_file():
                raise RecipeError(f"data file {path} does not exist: check data.train_file / data.val_file / "
                                  "data.eval_file in the recipe")

    def setup(self, stage: str | None = None) -> None:
        if self.train_data is not None:
            return
        self._check_files()
        self.tokenizer = load_tokenizer(self.hparams.model_name)
        if self.hparams.context != "none":
            self.open_book = self._stages().open_book(self.tokenizer)
        train = load_examples(self.hparams.train_file)
        if self.hparams.val_file:
            val = load_examples(self.hparams.val_file)
        else:
            train, val = split_by_group(train, [e.group for e in train], self.hparams.val_fraction, self.hparams.split_seed)
        self.train_data, train_counts = self._encode(train)
        self.val_data, val_counts = self._encode(val)
        counts = train_counts + val_counts
        dropped = counts["dropped_for_length"]
        if len(self.train_data) == 0:
            raise RecipeError(f"{self.hparams.train_file}: no training example left after dropping "
                              f"{train_counts['dropped_for_length']} longer than "
                              f"max_length={self.hparams.max_length}; raise data.init_args.max_length")
        self.stats = self._statistics(counts)
        rank_zero_info(
            f"data: {len(self.train_data)} train / {len(self.val_data)} val examples; "
            f"dropped {dropped} longer than max_length={self.hparams.max_length}; "
            f"{self.stats['trained_share']:.0%} of tokens trained"
        )
        total = len(self.train_data) + len(self.val_data) + dropped
        if dropped > DROPPED_WARNING * total:
            rank_zero_warn(f"{dropped} of {total} examples ({dropped / total:.1%}) are longer than "
                           f"max_length={self.hparams.max_length} and not trained: raise data.init_args.max_length")

    @property
    def val_examples(self) -> list[Example]:
        """The validation examples (after `setup`): what the QA evaluation asks when the recipe has no eval file."""
        return [item.example for item in self.val_data.items] if self.val_data is not None else []

    def _encode(self, examples: list[Example]) -> tuple[EncodedDataset, Counter]:
        """The examples encoded; an open-book one too long for `max_length` loses its lowest-ranked passages, then
        has its passage cut around the gold sentence, then its answer focused, then narrowed to the clause that
        answers (`budget`); `counts` says how many."""
        kept, counts = [], Counter()
        for example in examples:
            messages = with_system_prompt(example.messages, self.hparams.system_prompt)
            passages: list[Passage] = []
            if self.open_book is None:
                encoded = encode_chat(self.tokenizer, messages)
            else:
                prompt, reply, passages, gold = self._with_context(example, messages)
                encoded, passages, reply, how = self._fitted(prompt, reply, passages, gold)
                counts.update(how)
            if encoded.trained_tokens == 0:
                raise RecipeError(f"{example.source}: the chat template leaves no token to train; check the record")
            if len(encoded.input_ids) > self.hparams.max_length:
                counts["dropped_for_length"] += 1
                continue
            kept.append(EncodedExample(example, encoded, passages))
        return EncodedDataset(kept), counts

    def _fitted(self, prompt: list[dict[str, str]], reply: dict[str, str], passages: list[Passage],
                gold: Passage | None) -> tuple[EncodedChat, list[Passage], dict[str, str], list[str]]:
        def encode(shown: list[Passage], answer: dict[str, str]) -> EncodedChat:
            return encode_chat(self.tokenizer, [*with_passages(prompt, shown), answer])

        limit = self.hparams.max_length
        encoded = encode(passages, reply)
        while len(encoded.input_ids) > limit and len(passages) > 1:
            passages = _without_last(passages, keep=gold)
            encoded = encode(passages, reply)
        if len(encoded.input_ids) <= limit or not passages:
            return encoded, passages, reply, []
        answers = [reply]
        if gold is not None:
            question = last_question(prompt)
            for shorter in (focused(reply["content"]), narrowed(reply["content"], question)):
                if shorter not in (a["content"] for a in answers):
                    answers.append({**reply, "content": shorter})
        for n, answer in enumerate(answers):
            def fits(passage: Passage, answer: dict[str, str] = answer) -> bool:
                return len(encode([passage], answer).input_ids) <= limit

            cut = window(passages[0], answer["content"], fits) if gold is not None else opening(passages[0], fits)
            if cut is None and gold is not None and n:
                cut = answer_clauses(passages[0], answer["content"], fits)
            if cut is not None:
                return encode([cut], answer), [cut], answer, ["passages_cut", *(["answers_focused"] if n else [])]
        return encoded, passages, reply, []

    def _with_context(self, example: Example, messages: list[dict[str, str]]
                      ) -> tuple[list[dict[str, str]], dict[str, str], list[Passage], Passage | None]:
        """The prompt before the example's last answer, that answer (the `unanswerable` sentence when its gold
        passage is left out), the passages to show and the gold one among them (None when left out)."""
        last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
        answer = messages[last]["content"]
        gold = gold_passage(self.open_book.retriever.passages, answer, example.meta.get("chunk_id"))
        question = last_question(messages[:last])
        without_gold = (self.hparams.context == "raft"  # by content, not file path: the same choice on any machine
                        and _share(f"{example.group}\n{question}", self.hparams.seed) < self.hparams.no_gold_share)
        reading = self.open_book.training_read(messages[:last], gold, without_gold)
        reply = {"role": "assistant", "content": answer if reading.answerable else reading.unanswerable}
        return messages[:last], reply, reading.passages, gold if reading.answerable else None

    def _statistics(self, counts: Counter) -> dict[str, float]:
        lengths = np.array(self.train_data.lengths)
        trained = sum(item.encoded.trained_tokens for item in self.train_data.items)
        return {
            "train_examples": len(self.train_data),
            "val_examples": len(self.val_data),
            "dropped_for_length": counts["dropped_for_length"],
            "passages_cut": counts["passages_cut"],  # cut to a window around the gold sentence to fit
            "answers_focused": counts["answers_focused"],  # cut to the clauses stating their numbers to fit
            "length_p50": float(np.percentile(lengths, 50)),
            "length_p90": float(np.percentile(lengths, 90)),
            "length_p99": float(np.percentile(lengths, 99)),
            "length_max": int(lengths.max()),
            "trained_share": trained / int(lengths.sum()),
        }

    def _loader(self, data: EncodedDataset, batch_size: int, shuffle: bool) -> DataLoader:
        trainer = self.trainer
        ranks = {"num_replicas": trainer.world_size if trainer else 1, "rank": trainer.global_rank if trainer else 0}
        if shuffle and self.hparams.packing:
            rows = packed_rows(data.lengths, batch_size, self.hparams.max_length)
            batches = PackedBatchSampler(data.lengths, self.hparams.max_length, rows, seed=self.hparams.seed, **ranks)
            collate = partial(pack_batch, capacity=self.hparams.max_length, pad_id=self.tokenizer.pad_token_id,
                              pad_to_multiple_of=self.hparams.pad_to_multiple_of)
            return DataLoader(RowTagged(data), batch_sampler=batches, collate_fn=collate, num_workers=self.hparams.num_workers,
                              persistent_workers=self.hparams.num_workers > 0)
        sampler = LengthGroupedSampler(data.lengths, batch_size, shuffle=shuffle, seed=self.hparams.seed, **ranks)
        collate = partial(pad_batch, pad_id=self.tokenizer.pad_token_id, pad_to_multiple_of=self.hparams.pad_to_multiple_of)
        return DataLoader(data, batch_size=batch_size, sampler=sampler, collate_fn=collate,
                          num_workers=self.hparams.num_workers, persistent_workers=self.hparams.num_workers > 0)

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_data, self.hparams.batch_size, shuffle=True)

    def val_dataloader(self) -> DataLoader:
        eval_batch = self.hparams.eval_batch_size or 2 * self.hparams.batch_size
        return self._loader(self.val_data, eval_batch, shuffle=False)


def _without_last(passages: list[Passage], keep: Passage | None) -> list[Passage]:
    """Drop the lowest-ranked passage that is not the gold one: an over-long example is cut on passage boundaries."""
    for i in range(len(passages) - 1, -1, -1):
        if passages[i] != keep:
            return passages[:i] + passages[i + 1:]
    return passages


def _share(key: str, seed: int) -> float:
    """A stable number in [0, 1) for `key`: which RAFT examples go without their gold passage."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
