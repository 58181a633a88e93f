"""Read chat-training files in the formats users already have, as one list of OpenAI-style messages.

Accepted record shapes (JSONL, or one JSON array as LLaMA-Factory ships its datasets):
- QA pairs of DESIGN.md: `question` / `answer` (+ `chunk_id`, `id`, ...);
- alpaca: `instruction` / `input` / `output` (+ `system`, `history`);
- sharegpt: `conversations` of `{from, value}` (+ `system`);
- OpenAI: `messages` of `{role, content}`.

What would train the wrong thing is refused with one line naming the record: tool-call turns, preference
data (DPO `chosen`/`rejected`; KTO `label: false` marks a bad answer) and multimodal records (`<image>`);
unfilled template placeholders (`{{name}}`) are trained but warned about.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.jsonl import read_records

log = logging.getLogger(__name__)

TOOL_ROLES = ("function_call", "observation", "tool", "function", "ipython")
_MEDIA = re.compile(r"<(image|video|audio)>")
_PLACEHOLDER = re.compile(r"\{\{\s*[\w.]+\s*\}\}")
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
    _refuse_what_would_train_wrong(record, where)
    if "messages" in record:
        messages = [_message(m, where, n) for n, m in enumerate(record["messages"], start=1)]
    elif "conversations" in record:
        messages = _sharegpt(record, where)
    elif "instruction" in record:
        messages = _alpaca(record, where)
    elif "question" in record:
        messages = [{"role": "user", "content": _text(record, "question", where)},
                    {"role": "assistant", "content": _text(record, "answer", where)}]
    else:
        keys = ", ".join(list(record)[:6]) + (" …" if len(record) > 6 else "")
        raise RecipeError(f"{where}: unknown record shape (keys: {keys or 'none'}); expected question/answer, "
                          "instruction/output, conversations or messages")
    if not any(m["role"] == "assistant" for m in messages):
        raise RecipeError(f"{where}: no assistant turn to train on")
    for m in messages:
        if m["role"] == "assistant" and not m["content"].strip():
            raise RecipeError(f"{where}: empty answer; fill it in or remove the record")
        if media := _MEDIA.search(m["content"]):
            raise RecipeError(f"{where}: a multimodal record ({media.group(0)} placeholder); slm trains text models "
                              "and would train the placeholder as text: remove the records with images, video or audio")
    group = str(record.get("chunk_id") or record.get("id") or where)
    meta = {k: v for k, v in record.items() if k not in ("messages", "conversations", "question", "answer")}
    return Example(messages=messages, source=where, group=group, meta=meta)


def _refuse_what_would_train_wrong(record: dict, where: str) -> None:
    if "chosen" in record and "rejected" in record:
        raise RecipeError(f"{where}: a preference pair (chosen/rejected, DPO data); slm trains on one answer per "
                          "question: make 'chosen' the answer (e.g. alpaca 'output') and drop 'rejected'")
    if record.get("label", record.get("kto_tag")) is False:
        raise RecipeError(f"{where}: 'label: false' marks a bad answer (KTO data); slm would train on it as a "
                          "target: remove the records labelled false")
    for key in ("images", "videos", "audios"):
        if record.get(key):
            raise RecipeError(f"{where}: a multimodal record ('{key}'); slm trains text models: remove the records "
                              f"with {key}")


def _text(record: dict, key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RecipeError(f"{where}: missing or empty '{key}'; fill it in or remove the record")
    return value


def _message(message: Any, where: str, turn: int) -> dict[str, str]:
    role = message.get("role") if isinstance(message, dict) else None
    if role in TOOL_ROLES or isinstance(message, dict) and message.get("tool_calls"):
        raise RecipeError(f"{where}: message {turn} is a tool call or result (role '{role}'); tool use is not "
                          "trained: remove the tool messages or those records")
    if role not in ("system", "user", "assistant"):
        raise RecipeError(f"{where}: message {turn} has role {role!r}; each message needs a role of system, user "
                          "or assistant")
    if not isinstance(message.get("content"), str):
        raise RecipeError(f"{where}: message content must be text")
    return {"role": message["role"], "content": message["content"]}


def _sharegpt(record: dict, where: str) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": record["system"]}] if record.get("system") else []
    for n, turn in enumerate(record["conversations"], start=1):
        name = turn.get("from") if isinstance(turn, dict) else None
        if name in TOOL_ROLES:
            raise RecipeError(f"{where}: turn {n} is a tool call or result ('from': '{name}'); tool use is not "
                              "trained: remove the tool turns or those records")
        role = SHAREGPT_ROLES.get(name) if isinstance(name, str) else None
        if role is None or not isinstance(turn.get("value"), str):
            raise RecipeError(f"{where}: turn {n} ('from': {name!r}): sharegpt turns need 'from' (human, gpt or "
                              "system) and a text 'value'")
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
    examples = [to_example(record, where) for where, record in read_records(path, missing_hint="check the recipe's data paths")]
    filled_in = [(e.source, match.group(0)) for e in examples
                 if (match := _PLACEHOLDER.search("\n".join(m["content"] for m in e.messages)))]
    if filled_in:
        where, placeholder = filled_in[0]
        log.warning("%s: %d record(s) hold an unfilled template placeholder, first %s at %s; they train as written",
                    path, len(filled_in), placeholder, where)
    return examples
