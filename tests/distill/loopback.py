"""A threaded HTTP server on 127.0.0.1 that speaks the teachers' wire protocols with scripted replies.

Routes (by path): Gemini `POST /v1beta/models/{model}:generateContent`, and OpenAI-style
`POST .../chat/completions` (OpenAI at `/v1`, Zhipu at `/api/paas/v4`). Each request is recorded
(path, headers, JSON body, the key it carried); replies come from a script: a queue of `Reply` (or
callables taking the `Seen` request) used in order, then `default`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent as it is, instead of `body` as JSON (an HTML page, an empty body)
    content_type: str = "application/json"


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def key(self) -> str:
        auth = self.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") if auth else self.headers.get("x-goog-api-key", "")

    @property
    def texts(self) -> list[str]:
        """Every message text the request carried, in order (system first)."""
        if "contents" in self.body:
            system = self.body.get("systemInstruction") or self.body.get("system_instruction")
            parts = [p["text"] for p in system["parts"]] if system else []
            return parts + [p["text"] for c in self.body["contents"] for p in c["parts"]]
        return [m["content"] for m in self.body["messages"]]


Responder = Reply | Callable[[Seen], Reply]


def pairs_json(n: int = 1) -> str:
    return json.dumps({"pairs": [{"question": f"Q{i}?", "answer": f"A{i}."} for i in range(n)]})


def gemini_ok(text: str) -> Reply:
    return Reply(200, {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP",
                                       "index": 0}],
                       "usageMetadata": {"promptTokenCount": 11, "candidatesTokenCount": 7, "totalTokenCount": 18},
                       "modelVersion": "gemini-2.5-flash"})


def gemini_error(code: int, status: str, message: str, details: list | None = None) -> Reply:
    return Reply(code, {"error": {"code": code, "message": message, "status": status, "details": details or []}})


def chat_ok(text: str, model: str = "m") -> Reply:
    return Reply(200, {"id": "c1", "object": "chat.completion", "created": 0, "model": model,
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}})


def chat_error(status: int, message: str, code: str | None = None, headers: dict | None = None) -> Reply:
    return Reply(status, {"error": {"message": message, "type": "error", "code": code}}, headers=headers or {})


class Loopback:
    """`with Loopback() as server:` ... `server.url`, `server.script(...)`, `server.seen`."""

    def __init__(self, default: Responder | None = None) -> None:
        self.default = default
        self.queue: deque[Responder] = deque()
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def script(self, *replies: Responder) -> Loopback:
        self.queue.extend(replies)
        return self

    def keys_seen(self) -> list[str]:
        return [s.key for s in self.seen]

    def __enter__(self) -> Loopback:  # noqa: PYI034 - typing.Self is 3.11+
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self, seen: Seen) -> Reply:
        with self.lock:
            self.seen.append(seen)
            responder = self.queue.popleft() if self.queue else self.default
        if responder is None:
            return Reply(599, {"error": {"message": "loopback: no scripted reply left"}})
        return responder(seen) if callable(responder) else responder

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real services
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0) or 0))
                body = json.loads(raw or b"{}")
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                known = self.path.split("?")[0].endswith((":generateContent", "/chat/completions"))
                reply = loopback._next(seen) if known else Reply(404, {"error": {"message": f"no route {self.path}"}})
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", reply.content_type)
                    self.send_header("content-length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    self.close_connection = True

            def log_message(self, *args: object) -> None:  # quiet
                pass

        return Handler


# --- one small adapter per provider, so each test file says only what differs ---------------------
@dataclass
class Provider:
    name: str
    path: str  # base path the SDK is pointed at
    ok: Callable[[str], Reply]
    rate_limit: Reply
    bad_key: Reply
    server_error: Reply
    quota: Reply

    def teacher(self, server: Loopback, keys: list[str], max_wait: float | None = None, **kwargs: Any):
        from slm_recipes.distill.gemini import GeminiTeacher
        from slm_recipes.distill.keys import KeyPool
        from slm_recipes.distill.openai_compatible import OpenAICompatibleTeacher
        from slm_recipes.distill.zhipu import ZhipuTeacher

        cls = {"gemini": GeminiTeacher, "zhipu": ZhipuTeacher, "openai_compatible": OpenAICompatibleTeacher}[self.name]
        kwargs = {"backoff": 0.0, "timeout": 5.0, **kwargs}
        return cls(kwargs.pop("model", "test-model"), KeyPool(self.name, keys, max_wait=max_wait), server.url + self.path,
                   **kwargs)


GEMINI = Provider("gemini", "", gemini_ok,
                  rate_limit=gemini_error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
                  bad_key=gemini_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
                  server_error=gemini_error(500, "INTERNAL", "An internal error has occurred."),
                  quota=gemini_error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", [
                      {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
                       "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]))
ZHIPU = Provider("zhipu", "/api/paas/v4", chat_ok,
                 rate_limit=chat_error(429, "您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。", "1302"),
                 bad_key=chat_error(401, "令牌已过期或验证不正确！", "1004"),
                 server_error=chat_error(500, "Internal Error", "500"),
                 quota=chat_error(429, "您的账户已欠费，请充值后重试。", "1113"))
OPENAI = Provider("openai_compatible", "/v1", chat_ok,
                  rate_limit=chat_error(429, "Rate limit reached for requests", "rate_limit_exceeded"),
                  bad_key=chat_error(401, "Incorrect API key provided.", "invalid_api_key"),
                  server_error=chat_error(500, "The server had an error while processing your request."),
                  quota=chat_error(429, "You exceeded your current quota, please check your plan and billing details.",
                                   "insufficient_quota"))

KEY_A = "fake-key-AAAAAAAAAAAAAAAA-a1"
KEY_B = "fake-key-BBBBBBBBBBBBBBBB-b2"
