"""Questions to ask a model, with their reference answers: from a QA JSONL (DESIGN.md) or any chat file the DataModule reads.

A question is the conversation up to its last assistant turn (the prompt, with the recipe's
system prompt as training rendered it) and that turn as the reference. The source chunk's text
comes from the record (`context` / `chunk_text`) or from a `chunks.jsonl` looked up by `chunk_id`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slm_recipes.datamodules.chat_encoding import with_system_prompt
from slm_recipes.datamodules.formats import Example, load_examples

from slm_recipes.core.jsonl import read_records


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    prompt: list[dict[str, str]]  # messages that ask for the answer, system prompt included
    reference: str
    source: str = ""  # the source chunk's text, "" when unknown
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def question(self) -> str:
        return next((m["content"] for m in reversed(self.prompt) if m["role"] == "user"), "")


def from_examples(examples: list[Example], system_prompt: str | None = None,
                  chunks: dict[str, str] | None = None) -> list[EvalQuestion]:
    out = []
    for example in examples:
        last = max(i for i, m in enumerate(example.messages) if m["role"] == "assistant")
        meta = example.meta
        source = meta.get("context") or meta.get("chunk_text") or (chunks or {}).get(str(meta.get("chunk_id")), "")
        out.append(EvalQuestion(
            id=str(meta.get("id") or example.source), prompt=with_system_prompt(example.messages[:last], system_prompt),
            reference=example.messages[last]["content"], source=source, meta=meta,
        ))
    return out


def load_questions(path: str | Path, system_prompt: str | None = None, chunks_file: str | Path | None = None,
                   limit: int | None = None) -> list[EvalQuestion]:
    """The questions of `path` (at most `limit`, in file order)."""
    examples = load_examples(path)[:limit] if limit else load_examples(path)
    return from_examples(examples, system_prompt, load_chunks(chunks_file) if chunks_file else None)


def load_chunks(path: str | Path) -> dict[str, str]:
    """chunk id -> text, from a chunks.jsonl of DESIGN.md."""
    return {str(record["id"]): record.get("text", "") for _, record in read_records(path) if "id" in record}
