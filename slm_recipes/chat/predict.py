"""Answer a JSONL of questions in batches into a JSONL of answers (`slm predict`).

A record is a QA pair (`question`, optionally `answer`), or any chat record the DataModule reads
(`messages`, `conversations`, alpaca `instruction`) whose last turn is the user's question or an
answer to compare with. An answer the record brings is kept as `reference`; every other field of
the record is kept too. Prompts get the recipe's system prompt and generation settings.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from transformers import PreTrainedTokenizerBase

from slm_recipes.core.atomic import naming
from slm_recipes.core.errors import RecipeError
from slm_recipes.core.jsonl import read_records
from slm_recipes.core.progress import Progress
from slm_recipes.core.run_paths import probe_file, staging_file
from slm_recipes.datamodules.chat_encoding import with_system_prompt
from slm_recipes.datamodules.formats import SHAREGPT_ROLES, to_example
from slm_recipes.datamodules.questions import EvalQuestion, from_examples
from slm_recipes.generation.answers import Generated, answer_questions
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.retrieval.open_book import OpenBook

_SLOT = "(the answer to predict)"  # stands in for a missing answer while a record is read as a chat example


MAX_QUESTION_CHARS = 4000  # a longer "question" is a pasted document: it would crowd out the passages
BLOCK_BATCHES = 8  # batches per block: answers are written a block at a time, in file order


def predict(model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, settings: GenerationSettings,
            system_prompt: str | None, questions: list[tuple[dict[str, Any], EvalQuestion]], target: Path,
            open_book: OpenBook | None = None) -> int:
    """Answer `questions` (from `read_questions`) into `target`, one JSON line each, in order; returns how many
    answers were cut at max_new_tokens. With `open_book` each answer is read from retrieved passages and its
    line names them (`sources`) and the one it cites.

    Answers are appended to a staging file beside `target` as each block of batches finishes (flushed),
    and the staging file becomes `target` at the end: a failure late in the run keeps the answers so far
    there, and the error says where.
    """
    staging = staging_file(target)
    block = settings.batch_size * BLOCK_BATCHES
    cut = 0
    with Progress("answering", total=len(questions), unit="questions") as bar, \
            staging.open("w", encoding="utf-8", newline="\n") as out:
        try:
            for start in range(0, len(questions), block):
                part = questions[start:start + block]
                prompts = [with_system_prompt(q.prompt, system_prompt) for _, q in part]
                answers = answer_questions(model, tokenizer, prompts, settings, open_book, on_batch=bar.advance)
                out.writelines(json.dumps(answer_record(record, q, a, open_book is not None), ensure_ascii=False)
                               + "\n" for (record, q), a in zip(part, answers))
                out.flush()
                cut += sum(not a.ended for a in answers)
        except OSError as err:
            raise OSError(err.errno, f"{err.strerror}; the answers so far are in {staging}", str(target)) from None
    os.replace(staging, target)
    return cut


def check_writable(target: Path) -> None:
    """Fail before any work when `target` cannot be written (a missing, read-only or full folder)."""
    probe = probe_file(target)
    with naming(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        probe.write_text("", encoding="utf-8")
    probe.unlink()


def read_questions(path: Path) -> list[tuple[dict[str, Any], EvalQuestion]]:
    """(record, question) per record of `path`, in file order; a bad record is an error naming its line."""
    if not path.is_file():
        raise RecipeError(f"{path} does not exist; pass --input a JSONL of questions")
    out = []
    for where, record in read_records(path):
        slotted, has_answer = _with_answer_slot(record, where)
        question = from_examples([to_example(slotted, where)])[0]
        if not question.question.strip():
            raise RecipeError(f"{where}: no user question to answer; fix or remove the record")
        if len(question.question) > MAX_QUESTION_CHARS:
            raise RecipeError(f"{where}: the question is {len(question.question)} characters long; at most "
                              f"{MAX_QUESTION_CHARS} are answered: shorten it or split it")
        out.append((record, question if has_answer else replace(question, reference="")))
    if not out:
        raise RecipeError(f"{path} holds no questions; write one JSON record per line")
    return out


def answer_record(record: dict[str, Any], question: EvalQuestion, answer: Generated,
                  open_book: bool = False) -> dict[str, Any]:
    """The output line: id, question, answer, ended, reference, (open book) sources and the cited one, then the
    record's other fields."""
    head = {"id": record["id"]} if "id" in record else {}
    head.update(question=question.question, answer=answer.text, ended=answer.ended)
    if question.reference:
        head["reference"] = question.reference
    if open_book:
        head["sources"] = [p.source_record() for p in answer.passages]
        head["cited"] = answer.cited.source_record() if answer.cited else None
    return {**head, **{k: v for k, v in record.items() if k not in head and k not in ("question", "answer")}}


def _with_answer_slot(record: dict[str, Any], where: str) -> tuple[dict[str, Any], bool]:
    """The record with a stand-in last answer where it has none (so the chat reader takes it), and whether it had one."""
    for key, role, text, answerer in (("messages", "role", "content", "assistant"),
                                      ("conversations", "from", "value", "gpt")):
        if key not in record:
            continue
        turns = record[key]
        if not isinstance(turns, list) or not turns:
            raise RecipeError(f"{where}: '{key}' must be a non-empty list of turns")
        last = turns[-1]
        if isinstance(last, dict) and SHAREGPT_ROLES.get(last.get(role)) == "assistant":
            if isinstance(last.get(text), str) and last[text].strip():
                return record, True
            turns = turns[:-1]  # an empty last answer is the one to predict
        return {**record, key: [*turns, {role: answerer, text: _SLOT}]}, False
    key = "output" if "instruction" in record else "answer"
    if isinstance(record.get(key), str) and record[key].strip():
        return record, True
    return {**record, key: _SLOT}, False
