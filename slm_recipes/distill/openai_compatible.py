"""The `openai_compatible` teacher: any server with the OpenAI chat API (vLLM, llama.cpp server, Ollama, OpenAI)."""

from __future__ import annotations

from typing import Any

from slm_recipes.core.errors import RecipeError
from slm_recipes.distill.keys import KeyPool
from slm_recipes.distill.retry import (
    ChatTeacher,
    Failure,
    Messages,
    UnexpectedReply,
    describe_body,
    failure_from_status,
    retry_after_seconds,
)


class OpenAICompatibleTeacher(ChatTeacher):
    """Chat completions in JSON mode (`response_format={"type": "json_object"}`) through the `openai` client.

    The base URL comes from the recipe (e.g. `http://localhost:11434/v1` for Ollama). Local servers need
    no key: without one configured, a placeholder is sent.
    """

    name = "openai_compatible"

    def __init__(self, model: str | None, keys: KeyPool, base_url: str | None = None, timeout: float = 60.0,
                 max_retries: int = 4, **kwargs: Any) -> None:
        if not base_url:
            raise RecipeError("the openai_compatible teacher needs distill.base_url (https://api.openai.com/v1 for OpenAI)")
        if not len(keys):
            keys = KeyPool(keys.provider, ["not-needed"], max_wait=keys.max_wait)
        super().__init__(model, keys, base_url, timeout, max_retries, **kwargs)

    def new_client(self, secret: str) -> Any:
        from openai import OpenAI

        return OpenAI(api_key=secret, base_url=self.base_url, timeout=self.timeout, max_retries=0)

    def send(self, client: Any, messages: Messages, temperature: float) -> tuple[str, dict[str, int]]:
        response = client.chat.completions.create(model=self.model, messages=messages, temperature=temperature,
                                                  response_format={"type": "json_object"})
        return chat_reply(response)

    def classify(self, exc: Exception) -> Failure:
        import openai

        if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
            return Failure("transient", type(exc).__name__)
        if isinstance(exc, openai.APIStatusError):
            code = getattr(exc, "code", None)
            message = f"{error_message(exc.body) or exc.message}"
            failure = failure_from_status(exc.status_code, message, retry_after_seconds(exc.response.headers))
            if failure.kind == "rate_limit" and code == "insufficient_quota":
                failure.kind = "quota"
            return failure
        return Failure("fatal", type(exc).__name__)


def chat_reply(response: Any) -> tuple[str, dict[str, int]]:
    """Text and token usage of an OpenAI-style chat completion (also Zhipu's); the SDKs hand back a body that is
    not JSON as a string, which is no completion."""
    if isinstance(response, str):
        raise UnexpectedReply(f"the server answered HTTP 200 with {describe_body(response)}, not a chat completion")
    choices = getattr(response, "choices", None) or []
    text = (choices[0].message.content or "") if choices else ""
    usage = getattr(response, "usage", None)
    counts = {}
    for name in ("prompt_tokens", "completion_tokens", "total_tokens"):
        value = getattr(usage, name, None)
        if isinstance(value, int):
            counts[name] = value
    return text, counts


def error_message(body: Any) -> str:
    """The `message` of an error body shaped `{"error": {...}}` or `{...}`."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return str(inner.get("message", ""))
        return str(inner)
    return ""
