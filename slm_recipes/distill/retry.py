"""The one retry loop the LLM teachers share: key rotation, back-off, and one retry on a bad JSON reply.

A teacher subclass only says how to build its SDK client for a key, how to send the chat messages,
and how to classify the SDK's exceptions; everything else (which key, how long to wait, when to give
up, what the failure says) happens here, once. Nothing a key touches leaves this module unscrubbed.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from slm_recipes.core.errors import RecipeError
from slm_recipes.distill.json_reply import FORMAT_HINT, ReplyParseError, parse_pairs
from slm_recipes.distill.keys import Key, KeyPool
from slm_recipes.distill.teacher import TeacherFailed, TeacherReply, TeacherRequest

log = logging.getLogger("slm_recipes.distill.retry")

Kind = Literal["rate_limit", "quota", "auth", "transient", "fatal"]
Messages = list[dict[str, str]]


@dataclass
class Failure:
    """What went wrong with one request, in the terms the retry loop acts on."""

    kind: Kind
    message: str
    retry_after: float | None = None


def failure_from_status(status: int, message: str, retry_after: float | None = None) -> Failure:
    """The usual meaning of an HTTP status: 401/403 bad key, 429 rate limit, 408/5xx transient, other 4xx fatal."""
    if status in (401, 403):
        return Failure("auth", f"HTTP {status}: {message}")
    if status == 429:
        return Failure("rate_limit", f"HTTP 429: {message}", retry_after)
    if status in (408, 409) or status >= 500:
        return Failure("transient", f"HTTP {status}: {message}", retry_after)
    return Failure("fatal", f"HTTP {status}: {message}")


def is_network_error(exc: Exception) -> bool:
    """A timeout or connection error from httpx or the httpx2 fork google-genai uses."""
    return any(cls.__name__ in ("TimeoutException", "TransportError") and cls.__module__.split(".")[0] in ("httpx", "httpx2")
               for cls in type(exc).__mro__)


class UnexpectedReply(Exception):
    """The server answered, but not with a chat completion (an HTML login page, plain text): said as it came."""


def describe_body(body: str) -> str:
    """What came back instead of JSON, short: `an HTML page ("<!DOCTYPE html><html>…")`."""
    text = " ".join(body.split())
    kind = "an HTML page" if text[:200].lower().lstrip().startswith(("<!doctype html", "<html")) else "text"
    return f"{kind} ({text[:60]!r}{'…' if len(text) > 60 else ''})" if text else "an empty body"


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    try:
        value = float((headers or {}).get("retry-after", ""))
    except ValueError:
        return None
    return value if value > 0 else None


class ChatTeacher:
    """Base of the LLM teachers: `generate` asks for `{"pairs": [...]}` and parses it, thread-safely."""

    name = "chat"
    default_model: str | None = None

    def __init__(self, model: str | None, keys: KeyPool, base_url: str | None = None, timeout: float = 60.0,
                 max_retries: int = 4, *, backoff: float = 1.0, max_backoff: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None) -> None:
        self.model = model or self.default_model or ""
        if not self.model:
            raise RecipeError(f"the {self.name} teacher needs a model name (distill.model)")
        self.keys = keys
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clients: dict[int, Any] = {}
        self._clients_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, keys={self.keys!r}, base_url={self.base_url!r})"

    # --- what a subclass provides ------------------------------------------------------------------
    def new_client(self, secret: str) -> Any:
        raise NotImplementedError

    def send(self, client: Any, messages: Messages, temperature: float) -> tuple[str, dict[str, int]]:
        """One request; returns the reply text and token usage. SDK exceptions go to `classify`."""
        raise NotImplementedError

    def classify(self, exc: Exception) -> Failure:
        raise NotImplementedError

    # --- the shared loop -----------------------------------------------------------------------------
    def generate(self, request: TeacherRequest) -> TeacherReply:
        messages: Messages = [{"role": "system", "content": request.system_prompt},
                              {"role": "user", "content": request.user_prompt}]
        text, usage = self.complete(messages, request.temperature)
        try:
            parsed = parse_pairs(text)
        except ReplyParseError as err:
            chunk = request.chunk.get("id", "?")
            log.info("%s reply for chunk %s is unusable (%s); asking once more", self.name, chunk, err)
            messages += [{"role": "assistant", "content": text[:4000]},
                         {"role": "user", "content": f"Your reply could not be used: {err}. {FORMAT_HINT}"}]
            text, more = self.complete(messages, request.temperature)
            usage = {k: usage.get(k, 0) + more.get(k, 0) for k in {*usage, *more}}
            try:
                parsed = parse_pairs(text)
            except ReplyParseError as err2:
                raise TeacherFailed(f"{self.name} ({self.model}) reply for chunk {chunk} is unusable "
                                    f"after one retry: {err2}") from None
        return TeacherReply(pairs=parsed.pairs, model=self.model, usage=usage, invalid=parsed.invalid)

    def complete(self, messages: Messages, temperature: float) -> tuple[str, dict[str, int]]:
        """Send with rotation: a bad key is disabled and the next one tried; a rate-limited key cools down
        and the next ready one is tried (waiting when all cool down); 5xx and timeouts back off with jitter
        up to `max_retries` times. Raises TeacherFailed, with a scrubbed message, when giving up."""
        transient = limited = 0
        limit_budget = max(1, len(self.keys)) * (self.max_retries + 1)
        while True:
            key = self.keys.acquire()  # NoUsableKey (a TeacherFailed) when every key is disabled
            if not isinstance(key, Key):
                self._sleep(key)
                continue
            try:
                result = self.send(self.client(key), messages, temperature)
            except Exception as exc:  # noqa: BLE001 - every SDK error is classified, none escapes raw
                failure = self.safe_classify(exc)
                message = self.keys.scrub(failure.message)[:300]
                if failure.kind == "auth":
                    self.keys.rejected(key, message)
                    continue
                if failure.kind == "quota":
                    self.keys.exhausted(key, message)
                    continue
                if failure.kind == "rate_limit":
                    self.keys.rate_limited(key, failure.retry_after, why="rate limit")
                    limited += 1
                    if limited >= limit_budget:
                        raise TeacherFailed(f"{self.name}: still rate-limited after {limited} tries over "
                                            f"{len(self.keys)} key(s): {message}") from None
                    continue
                self.keys.failed(key)
                if failure.kind == "transient" and transient < self.max_retries:
                    transient += 1
                    delay = self.backoff_delay(transient, failure.retry_after)
                    log.info("%s: %s; retry %d/%d in %.1f s", self.name, message, transient, self.max_retries, delay)
                    self._sleep(delay)
                    continue
                tries = f" after {transient + 1} tries" if failure.kind == "transient" else ""
                raise TeacherFailed(f"{self.name} ({self.model}) request failed{tries}: {message}") from None
            self.keys.succeeded(key)
            return result

    def backoff_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Exponential back-off with jitter: between half and all of backoff * 2^(attempt-1), capped."""
        delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        delay = delay / 2 + self._rng.uniform(0, delay / 2)
        return max(delay, min(retry_after or 0.0, self.max_backoff))

    def safe_classify(self, exc: Exception) -> Failure:
        """The failure an exception means; what every teacher shares (bad bodies, connection errors) first."""
        if isinstance(exc, UnexpectedReply):
            return Failure("fatal", f"{exc} (check distill.base_url: {self.base_url})")
        if isinstance(exc, ValueError) and type(exc).__name__ == "JSONDecodeError":  # the SDK could not read the body
            body = str(getattr(exc, "doc", "") or "")
            if not body.strip():
                return Failure("transient", "the server sent an empty reply body")
            return Failure("fatal", f"the server answered with {describe_body(body)} instead of JSON "
                                    f"(check distill.base_url: {self.base_url})")
        try:
            failure = self.classify(exc)
        except Exception:  # noqa: BLE001 - a classifier bug must not leak the SDK exception
            return Failure("fatal", type(exc).__name__)
        if failure.kind == "transient" and "Connect" in type(exc).__name__:
            failure.message = f"cannot connect to {self.base_url or 'the default endpoint'} ({type(exc).__name__})"
        return failure

    def client(self, key: Key) -> Any:
        """One SDK client per key, made on first use (the SDK clients are safe to share across threads)."""
        with self._clients_lock:
            if key.index not in self._clients:
                self._clients[key.index] = self.new_client(key.secret)
            return self._clients[key.index]
