"""A teacher's reply text into QA pairs, repairing it only when the repair is unambiguous.

Repairs: a code fence around the JSON, trailing commas, and a single JSON object or array embedded in
prose. A pair without its question or answer text is dropped and counted; the others are kept. A reply
with no usable pair, or one that cannot be read however malformed (empty, prose, brackets nested
thousands deep), raises ReplyParseError, whose message is shown to the teacher on the one retry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

SPACE = re.compile(r"\s*")
FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n?(.*?)```", re.DOTALL)

# What the teachers are asked for (Gemini takes it as its response schema).
PAIRS_SCHEMA: dict[str, Any] = {
    "type": "OBJECT",
    "properties": {"pairs": {"type": "ARRAY", "items": {
        "type": "OBJECT",
        "properties": {"question": {"type": "STRING"}, "answer": {"type": "STRING"}},
        "required": ["question", "answer"]}}},
    "required": ["pairs"],
}
FORMAT_HINT = 'Reply with only a JSON object: {"pairs": [{"question": "...", "answer": "..."}]}.'


class ReplyParseError(ValueError):
    """The reply is not valid JSON of the expected shape, and no unambiguous repair exists."""


@dataclass(frozen=True)
class ParsedPairs:
    pairs: list[dict[str, str]]
    invalid: int = 0  # items of the reply without question or answer text, dropped


def parse_pairs(text: str) -> ParsedPairs:
    """The `{"question", "answer"}` pairs of a reply; raises ReplyParseError (a short, key-free message)."""
    try:
        return pairs_from(load_json(text))
    except RecursionError:  # `[[[[…` thousands deep: the decoder recurses once per bracket
        raise ReplyParseError("the reply nests brackets too deeply to be the pairs object") from None


def load_json(text: str) -> Any:
    text = (text or "").strip().lstrip("\ufeff")
    if not text:
        raise ReplyParseError("the reply is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        first_error = f"{err.msg} at line {err.lineno} column {err.colno}"
    fences = FENCE.findall(text)
    if len(fences) > 1:
        raise ReplyParseError(f"the reply holds {len(fences)} code blocks; expected one JSON object")
    if len(fences) == 1:
        text = fences[0].strip()
    text = drop_trailing_commas(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    found = embedded_values(text)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ReplyParseError(f"the reply holds {len(found)} separate JSON values; expected one object")
    raise ReplyParseError(f"not valid JSON ({first_error})")


def drop_trailing_commas(text: str) -> str:
    """Remove commas directly before `}` or `]` (outside strings)."""
    out: list[str] = []
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if ch == '"' and not escaped:
                in_string = False
            escaped = ch == "\\" and not escaped
            out.append(ch)
            continue
        if ch == '"':
            in_string = True
        elif ch == ",":
            after = SPACE.match(text, i + 1).end()
            if text[after:after + 1] in ("}", "]"):
                continue
        out.append(ch)
    return "".join(out)


def embedded_values(text: str) -> list[Any]:
    """The top-level JSON objects (or arrays of objects) inside prose, left to right; `[1]` or `{x}` in the
    prose are skipped, but a JSON value that starts and then breaks off makes the reply unrepairable."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    i = 0
    while i < len(text):
        if text[i] in "{[":
            try:
                value, end = decoder.raw_decode(text, i)
            except json.JSONDecodeError as err:
                after = SPACE.match(text, i + 1).end()
                if text[after:after + 1] in ('"', "{", "["):  # JSON cut off or broken, not a `[1]` in prose
                    line = text.count("\n", 0, i) + 1
                    raise ReplyParseError(f"not valid JSON ({err.msg} in the JSON starting on line {line})") from None
                i += 1
                continue
            if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict) for v in value)):
                found.append(value)
            i = end
        else:
            i += 1
    return found


def pairs_from(value: Any) -> ParsedPairs:
    if isinstance(value, dict) and "pairs" in value:
        items = value["pairs"]
    elif isinstance(value, dict) and "question" in value:
        items = [value]
    elif isinstance(value, list):
        items = value
    else:
        raise ReplyParseError('expected an object with a "pairs" list')
    if not isinstance(items, list):
        raise ReplyParseError('"pairs" must be a list')
    if not items:
        raise ReplyParseError("the reply holds no pairs")
    pairs, problems = [], []
    for n, item in enumerate(items):
        pair = _pair(item)
        if isinstance(pair, str):
            problems.append(f"pairs[{n}] {pair}")
        else:
            pairs.append(pair)
    if not pairs:
        raise ReplyParseError(f"no usable pair: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return ParsedPairs(pairs, invalid=len(problems))


def _pair(item: Any) -> dict[str, str] | str:
    """The pair with its texts stripped, or what is wrong with it."""
    if not isinstance(item, dict):
        return "is not an object"
    pair = {}
    for name in ("question", "answer"):
        field = item.get(name)
        if isinstance(field, (int, float)) and not isinstance(field, bool):
            field = str(field)
        if not isinstance(field, str) or not field.strip():
            return f'has no "{name}" text'
        pair[name] = field.strip()
    return pair
