"""The HTTP routes of `slm serve` (FastAPI), in the OpenAI shape: what the `openai` SDK and its kind expect.

    GET  /health                  no key needed: liveness, the batch's load
    GET  /v1/models               the one model served (its id: serve.model_id, or the recipe's name)
    POST /v1/chat/completions     an answer, whole or streamed (server-sent events), with its sources
    POST /v1/retrieve             the passages the index returns for a query

Every error is `{"error": {"message", "type", "param", "code"}}` with one line that says what to
change; nothing else reaches the client of a failure (the log has the traceback). With an API key,
every route but /health needs `Authorization: Bearer <key>`, compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from slm_recipes.serve.batcher import Delta, Failed, Finished, Job, QueueFull
from slm_recipes.serve.requests import BadRequest, ChatRequest, RetrieveRequest, parse
from slm_recipes.serve.service import ChatService, Prepared

log = logging.getLogger(__name__)
_POLL_S = 0.25  # how often a waiting non-streamed request checks that its client is still there


class Utf8JSON(JSONResponse):
    """JSON with Chinese as itself, not \\u escapes: what a person reading curl's output can read."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def create_app(service: ChatService, api_key: str | None = None) -> FastAPI:
    """The app over `service`; `api_key` (None: no key) guards every route but /health."""
    app = FastAPI(title="slm serve", docs_url=None, redoc_url=None, openapi_url=None, default_response_class=Utf8JSON)
    config = service.config
    app.add_middleware(_Guard, expected=f"Bearer {api_key}".encode() if api_key else None,
                       max_body_bytes=config.max_body_bytes)

    @app.exception_handler(BadRequest)
    async def bad_request(_: Request, err: BadRequest):
        headers = {"Retry-After": str(config.retry_after_s)} if err.status == 429 else None
        return error(err.status, err.message, err.param, err.code, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException):
        message = f"no route {request.method} {request.url.path}" if err.status_code in (404, 405) else str(err.detail)
        return error(err.status_code, message, code="not_found" if err.status_code == 404 else None)

    @app.exception_handler(Exception)
    async def failure(_: Request, err: Exception):
        log.error("request failed", exc_info=err)
        return error(500, "the server failed to answer; its log says why", code="server_error", kind="server_error")

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "model": service.model_id, "open_book": service.open_book is not None,
                "batch": {"active": service.batcher.active, "waiting": service.batcher.waiting,
                          "max_batch": service.batcher.max_batch, "peak": service.batcher.peak,
                          "steps": service.batcher.steps, "dropped": service.batcher.dropped}}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card(service)]}

    @app.get("/v1/models/{model_id:path}")
    async def model(model_id: str) -> dict[str, Any]:
        if model_id != service.model_id:
            raise BadRequest(f"model {model_id!r} is not served here; this server serves {service.model_id!r}",
                             "model", status=404, code="model_not_found")
        return model_card(service)

    @app.post("/v1/retrieve")
    async def retrieve(request: Request) -> dict[str, Any]:
        body = parse(await read_body(request, config.max_body_bytes), RetrieveRequest)
        hits = await asyncio.to_thread(service.retrieve, body.query, body.top_k)
        return {"object": "list", "query": body.query, "data": hits}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        body = parse(await read_body(request, config.max_body_bytes), ChatRequest)
        prepared = await asyncio.to_thread(service.prepare, body)
        reply = _Reply(service, prepared, f"chatcmpl-{uuid.uuid4().hex}")
        if prepared.ask is not None:
            reply.submit(asyncio.get_running_loop())
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            return StreamingResponse(reply.stream(include_usage), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return await reply.whole(request)

    return app


class _Guard:
    """Before any route: the API key (every path but /health) and the declared body size."""

    def __init__(self, app, expected: bytes | None, max_body_bytes: int) -> None:
        self.app, self.expected, self.max_body_bytes = app, expected, max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        refused = None
        if self.expected is not None and scope["path"] != "/health" \
                and not hmac.compare_digest(headers.get(b"authorization", b""), self.expected):
            refused = error(401, "invalid or missing API key: send Authorization: Bearer <key>",
                            code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"})
        length = headers.get(b"content-length", b"")
        if refused is None and length.isdigit() and int(length) > self.max_body_bytes:
            refused = error(400, f"the request body is {int(length)} bytes; at most {self.max_body_bytes} are read "
                                 "(serve.max_body_bytes)", code="request_too_large")
        if refused is not None:
            return await refused(scope, receive, send)
        return await self.app(scope, receive, send)


class _Reply:
    """One request's answer: its job in the batcher and the events coming back from it."""

    def __init__(self, service: ChatService, prepared: Prepared, reply_id: str) -> None:
        self.service, self.prepared, self.id = service, prepared, reply_id
        self.created = int(time.time())
        self.events: asyncio.Queue = asyncio.Queue()
        self.job: Job | None = None

    def submit(self, loop: asyncio.AbstractEventLoop) -> None:
        def deliver(event) -> None:
            loop.call_soon_threadsafe(self.events.put_nowait, event)

        self.job = Job(self.prepared.ask, deliver)
        try:
            self.service.batcher.submit(self.job)
        except QueueFull:
            raise BadRequest(f"the server is busy: {self.service.batcher.waiting} requests are waiting (serve.queue_size); "
                             "retry shortly", status=429, code="rate_limit_exceeded") from None

    async def next_event(self):
        if self.job is None:  # answered without generating: no relevant passage
            return Finished(self.prepared.answer, "stop", 0, self.prepared.answer)
        return await self.events.get()

    async def whole(self, request: Request) -> JSONResponse:
        """The complete answer; the job is dropped if the client leaves while it waits."""
        try:
            while True:
                try:
                    event = await asyncio.wait_for(self.next_event(), _POLL_S)
                except asyncio.TimeoutError:
                    if await request.is_disconnected():
                        self.cancel()
                        return error(499, "client closed the request")
                    continue
                if isinstance(event, Finished):
                    if event.finish_reason == "timeout":
                        return self.timed_out()
                    return Utf8JSON(self.completion(event))
                if isinstance(event, Failed):
                    return error(500, event.message, code="server_error", kind="server_error")
        finally:
            self.cancel()

    async def stream(self, include_usage: bool) -> AsyncIterator[str]:
        """Server-sent events: the role, the text as it comes, then the finish with the sources (and usage)."""
        try:
            yield _sse(self.chunk({"role": "assistant", "content": ""}))
            while True:
                event = await self.next_event()
                if isinstance(event, Delta):
                    yield _sse(self.chunk({"content": event.text}))
                elif isinstance(event, Failed):
                    yield _sse({"error": _error_body(event.message, code="server_error", kind="server_error")})
                    break
                elif event.finish_reason == "timeout":
                    yield _sse({"error": _error_body(self.timeout_message(), code="timeout", kind="timeout")})
                    break
                else:
                    if event.rest:
                        yield _sse(self.chunk({"content": event.rest}))
                    yield _sse({**self.chunk({}, event.finish_reason), **self.service.sources(self.prepared, event.text)})
                    if include_usage:
                        yield _sse({**self.chunk(None), "usage": self.usage(event)})
                    break
            yield "data: [DONE]\n\n"
        finally:  # also when the client disconnects: the job leaves the batch at the next step
            self.cancel()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def completion(self, event: Finished) -> dict[str, Any]:
        return {"id": self.id, "object": "chat.completion", "created": self.created, "model": self.service.model_id,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": event.text},
                             "finish_reason": event.finish_reason, "logprobs": None}],
                "usage": self.usage(event), **self.service.sources(self.prepared, event.text)}

    def chunk(self, delta: dict[str, Any] | None, finish_reason: str | None = None) -> dict[str, Any]:
        choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish_reason,
                                              "logprobs": None}]
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                "model": self.service.model_id, "choices": choices}

    def usage(self, event: Finished) -> dict[str, int]:
        return {"prompt_tokens": self.prepared.prompt_tokens, "completion_tokens": event.new_tokens,
                "total_tokens": self.prepared.prompt_tokens + event.new_tokens}

    def timeout_message(self) -> str:
        return (f"the answer took longer than serve.request_timeout_s ({self.service.config.request_timeout_s:g} s); "
                "ask for fewer max_tokens or retry when the server is less busy")

    def timed_out(self) -> JSONResponse:
        return error(504, self.timeout_message(), code="timeout", kind="timeout")


def model_card(service: ChatService) -> dict[str, Any]:
    return {"id": service.model_id, "object": "model", "created": service.created, "owned_by": "slm-recipes"}


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read up to `limit` bytes (a chunked upload has no Content-Length to refuse it by)."""
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limit:
            raise BadRequest(f"the request body is over {limit} bytes (serve.max_body_bytes)", code="request_too_large")
    return bytes(body)


def error(status: int, message: str, param: str | None = None, code: str | None = None,
          kind: str = "invalid_request_error", headers: dict[str, str] | None = None) -> JSONResponse:
    if status == 429:
        kind = "rate_limit_error"
    return Utf8JSON({"error": _error_body(message, param, code, kind)}, status_code=status, headers=headers)


def _error_body(message: str, param: str | None = None, code: str | None = None,
                kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"message": message, "type": kind, "param": param, "code": code}


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"
