"""The request bodies `slm serve` reads, in the OpenAI shape, and the one-line messages a bad one gets.

Fields an OpenAI client sends that do not change a greedy answer here (`user`, `frequency_penalty`
at 0, `logprobs` false, ...) are accepted and ignored; the ones that would need what this server
does not do (`n` > 1, tools, images) are refused by name instead of silently dropped.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


class BadRequest(Exception):
    """A request this server will not answer: `status`, a one-line `message`, and the `param` at fault."""

    def __init__(self, message: str, param: str | None = None, status: int = 400,
                 code: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.message, self.param, self.status, self.code = message, param, status, code


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class Part(_Body):
    type: str
    text: str | None = None


class Message(_Body):
    role: str
    content: str | list[Part] | None = None


class StreamOptions(_Body):
    include_usage: bool = False


class ChatRequest(_Body):
    model: str | None = None
    messages: list[Message]
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    stop: str | list[str] | None = None
    n: int | None = 1
    seed: int | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    #: Ours: false answers closed-book (no passages shown), as `slm predict --no-retrieval` does.
    retrieval: bool = True


class RetrieveRequest(_Body):
    query: str
    top_k: int | None = Field(None, ge=1, le=50)


def parse(body: bytes, shape: type[BaseModel]) -> Any:
    """The body read as `shape`; BadRequest naming the field (or the JSON error's line and column)."""
    try:
        json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        where = f" (line {err.lineno} column {err.colno})" if isinstance(err, json.JSONDecodeError) else ""
        raise BadRequest(f"the request body is not valid JSON{where}: send a JSON object") from None
    try:
        return shape.model_validate_json(body)
    except ValidationError as err:
        errors = err.errors()
        param = _field(errors[0]["loc"])
        said = dict.fromkeys(e["msg"] for e in errors if _field(e["loc"]) == param)  # a union: each type's message
        raise BadRequest(f"{param or 'body'}: {' or '.join(said)}", param) from None


def _field(loc: tuple) -> str | None:
    """`messages.0.content` for pydantic's ('messages', 0, 'content', 'list[Part]', 0, 'type'): where the value is,
    without the union member tried (a type name) nor what lies inside it."""
    out = []
    for part in loc:
        if isinstance(part, str) and (part in ("str", "int", "float", "bool") or "[" in part or part[:1].isupper()):
            break
        out.append(str(part))
    return ".".join(out) or None


def chat_messages(request: ChatRequest, max_messages: int) -> list[dict[str, str]]:
    """The conversation as role/content dicts (text parts joined), checked: known roles, a user turn last."""
    if not request.messages:
        raise BadRequest("messages is empty: send at least one user message", "messages")
    if len(request.messages) > max_messages:
        raise BadRequest(f"{len(request.messages)} messages; at most {max_messages} are taken (serve.max_messages)",
                         "messages")
    if request.n not in (None, 1):
        raise BadRequest("n must be 1: one answer per request (send several requests for several)", "n")
    for name in ("tools", "functions", "tool_choice"):
        if getattr(request, name, None):
            raise BadRequest(f"{name} are not supported: the model answers from its documents, without tool calls",
                             name)
    out = []
    for n, message in enumerate(request.messages):
        role = ROLES.get(message.role)
        if role is None:
            raise BadRequest(f"messages.{n}.role {message.role!r} is not supported; use system, user or assistant",
                             f"messages.{n}.role")
        out.append({"role": role, "content": _text(message, n)})
    if out[-1]["role"] != "user":
        raise BadRequest("the last message must be the user's question", f"messages.{len(out) - 1}.role")
    if not out[-1]["content"].strip():
        raise BadRequest("the last user message is empty", f"messages.{len(out) - 1}.content")
    return out


def stop_strings(request: ChatRequest) -> tuple[str, ...]:
    stop = [request.stop] if isinstance(request.stop, str) else list(request.stop or [])
    if len(stop) > 4:
        raise BadRequest("stop takes at most 4 strings", "stop")
    return tuple(s for s in stop if s)


def _text(message: Message, n: int) -> str:
    if message.content is None or isinstance(message.content, str):
        return message.content or ""
    texts = []
    for part in message.content:
        if part.type != "text" or part.text is None:
            raise BadRequest(f"messages.{n}.content: only text parts are read, not {part.type!r}",
                             f"messages.{n}.content")
        texts.append(part.text)
    return "\n".join(texts)
