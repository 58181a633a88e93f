"""The `gemini` teacher: Google's Gemini models through `google-genai`, JSON mode with a response schema."""

from __future__ import annotations

import re
from typing import Any

from slm_recipes.distill.json_reply import PAIRS_SCHEMA
from slm_recipes.distill.keys import KeyPool
from slm_recipes.distill.retry import ChatTeacher, Failure, Messages, failure_from_status, is_network_error


class GeminiTeacher(ChatTeacher):
    """`generateContent` with `response_mime_type="application/json"` and the pairs schema; default `gemini-2.5-flash`."""

    name = "gemini"
    default_model = "gemini-2.5-flash"

    def __init__(self, model: str | None, keys: KeyPool, base_url: str | None = None, timeout: float = 60.0,
                 max_retries: int = 4, **kwargs: Any) -> None:
        super().__init__(model, keys.require(), base_url, timeout, max_retries, **kwargs)

    def new_client(self, secret: str) -> Any:
        from google import genai
        from google.genai import types

        # no retry_options: the SDK makes one attempt and our loop owns retries and rotation
        options = types.HttpOptions(base_url=self.base_url, timeout=int(self.timeout * 1000))
        return genai.Client(api_key=secret, vertexai=False, http_options=options)

    def send(self, client: Any, messages: Messages, temperature: float) -> tuple[str, dict[str, int]]:
        from google.genai import types

        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        contents = [types.Content(role="model" if m["role"] == "assistant" else "user", parts=[types.Part(text=m["content"])])
                    for m in messages if m["role"] != "system"]
        config = types.GenerateContentConfig(system_instruction=system or None, temperature=temperature,
                                             response_mime_type="application/json", response_schema=PAIRS_SCHEMA)
        response = client.models.generate_content(model=self.model, contents=contents, config=config)
        usage = {}
        meta = getattr(response, "usage_metadata", None)
        for ours, theirs in (("prompt_tokens", "prompt_token_count"), ("completion_tokens", "candidates_token_count"),
                             ("total_tokens", "total_token_count")):
            value = getattr(meta, theirs, None)
            if isinstance(value, int):
                usage[ours] = value
        return response.text or "", usage

    def classify(self, exc: Exception) -> Failure:
        from google.genai import errors

        if is_network_error(exc):
            return Failure("transient", type(exc).__name__)
        if isinstance(exc, errors.APIError):
            status = exc.status or ""
            message = f"{status} {exc.message or ''}".strip()
            if exc.code == 400 and ("API_KEY_INVALID" in str(exc.details) or "API key not valid" in message):
                return Failure("auth", f"HTTP 400 {message}")
            if exc.code == 429 or status == "RESOURCE_EXHAUSTED":
                # a per-minute limit passes; a per-day quota (QuotaFailure ...PerDay...) does not within a run
                kind = "quota" if "PerDay" in str(exc.details) else "rate_limit"
                return Failure(kind, f"HTTP {exc.code} {message}", retry_delay(exc.details))
            return failure_from_status(exc.code, message)
        return Failure("fatal", type(exc).__name__)


def retry_delay(details: Any) -> float | None:
    """The `RetryInfo.retryDelay` ("30s") Google puts in a 429's error details, in seconds."""
    found = re.search(r"'retryDelay': '([\d.]+)s'", str(details))
    return float(found.group(1)) if found else None
