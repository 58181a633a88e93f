"""Read chat-training files in the formats users already have, as one list of OpenAI-style messages.

Accepted record shapes (JSONL, or one JSON array as LLaMA-Factory ships its datasets):
- QA pairs of DESIGN.md: `question` / `answer` (+ `chunk_id`, `id`, ...);
- alpaca: `instruction` / `input` / `output` (+ `system`, `history`);
- sharegpt: `conversations` of `{from, value}` (+ `system`);
- OpenAI: `messages` of `{role, content}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slm_recipes.errors import RecipeError
from slm_recipes.jsonl import read_records

SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
                  "model": "assistant", "system": "system"}


@dataclass
class Example:
    """One conversation to train on, with where it came from (for errors and provenance)."""

    messages: list[dict[str, str]]
    source: str
    group: str
    meta: dict[str, Any] = field(default_factory=dict)


def to_example(record: dict, where: str) -> Example:
    """Normalise one record of any accepted shape; a record lacking its answer is an error naming `where`."""
    if "messages" in record:
        messages = [_message(m, where) for m in record["messages"]]
    elif "conversations" in record:
        messages = _sharegpt(record, where)
    elif "instruction" in record:
        messages = _alpaca(record, where)
    elif "question" in record:
        messages = [{"role": "user", "content": _text(record, "question", where)},
                    {"role": "assistant", "content": _text(record, "answer", where)}]
    else:
        raise RecipeError(f"{where}: unknown record shape; expected question/answer, "
                          "instruction/output, conversations or messages")
    if not any(m["role"] == "assistant" for m in messages):
        raise RecipeError(f"{where}: no assistant turn to train on")
    for m in messages:
        if m["role"] == "assistant" and not m["content"].strip():
            raise RecipeError(f"{where}: empty answer; fill it in or remove the record")
    group = str(record.get("chunk_id") or record.get("id") or where)
    meta = {k: v for k, v in record.items() if k not in ("messages", "conversations", "question", "answer")}
    return Example(messages=messages, source=where, group=group, meta=meta)


def _text(record: dict, key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RecipeError(f"{where}: missing or empty '{key}'; fill it in or remove the record")
    return value


def _message(message: Any, where: str) -> dict[str, str]:
    if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant"):
        raise RecipeError(f"{where}: each message needs a role of system, user or assistant")
    if not isinstance(message.get("content"), str):
        raise RecipeError(f"{where}: message content must be text")
    return {"role": message["role"], "content": message["content"]}


def _sharegpt(record: dict, where: str) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": record["system"]}] if record.get("system") else []
    for turn in record["conversations"]:
        role = SHAREGPT_ROLES.get(turn.get("from", "")) if isinstance(turn, dict) else None
        if role is None or not isinstance(turn.get("value"), str):
            raise RecipeError(f"{where}: sharegpt turns need 'from' (human, gpt or system) and a text 'value'")
        messages.append({"role": role, "content": turn["value"]})
    return messages


def _alpaca(record: dict, where: str) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": record["system"]}] if record.get("system") else []
    for query, response in record.get("history") or []:
        messages += [{"role": "user", "content": query}, {"role": "assistant", "content": response}]
    prompt = _text(record, "instruction", where)
    if record.get("input"):
        prompt = f"{prompt}\n{record['input']}"
    messages += [{"role": "user", "content": prompt}, {"role": "assistant", "content": _text(record, "output", where)}]
    return messages


def load_examples(path: str | Path) -> list[Example]:
    return [to_example(record, where) for where, record in read_records(path, missing_hint="check the recipe's data paths")]
