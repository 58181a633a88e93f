"""The `serve:` section of a recipe: where `slm serve` listens, how it batches, and what one request may ask."""

from __future__ import annotations

from dataclasses import dataclass

from slm_recipes.core.addresses import is_loopback
from slm_recipes.core.errors import RecipeError


@dataclass(frozen=True)
class ServeConfig:
    """How `slm serve` listens and batches, and the limits every request is held to.

    Args:
        host: Address to bind. Loopback (127.0.0.1) by default; any other address needs an API key.
        port: TCP port.
        api_key_env: Environment variable holding the API key (`--api-key` sets it for one run). With a key,
            every route but /health needs `Authorization: Bearer <key>`.
        model_id: The model name clients send and /v1/models lists; empty: the recipe's name.
        max_batch: Requests generated together, one token each per step; a request joins the batch at the
            next step and leaves it when done.
        batch_window_ms: When idle, how long the first request waits for others to start with it.
        queue_size: Requests waiting for a place in the batch; one more gets 429 with Retry-After.
        retry_after_s: The Retry-After a 429 answer gives.
        request_timeout_s: Longest a request may take, queue included; then it ends with 504 (or an error event).
        max_body_bytes: Largest request body.
        max_messages: Most messages in one request.
        max_prompt_tokens: Longest prompt in tokens, the retrieved passages and chat template included.
        max_tokens: The most `max_tokens` a request may ask for (the default is generation.max_new_tokens).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    api_key_env: str = "SLM_API_KEY"
    model_id: str = ""
    max_batch: int = 16
    batch_window_ms: float = 20.0
    queue_size: int = 64
    retry_after_s: int = 1
    request_timeout_s: float = 300.0
    max_body_bytes: int = 1_048_576
    max_messages: int = 64
    max_prompt_tokens: int = 4096
    max_tokens: int = 1024

    def __post_init__(self) -> None:
        for key in ("max_batch", "queue_size", "retry_after_s", "max_body_bytes", "max_messages", "max_prompt_tokens",
                    "max_tokens"):
            if getattr(self, key) < 1:
                raise RecipeError(f"serve.{key} must be at least 1, got {getattr(self, key)}")
        if not 0 <= self.port <= 65535:
            raise RecipeError(f"serve.port must be a TCP port (0-65535), got {self.port}")
        if self.batch_window_ms < 0 or self.request_timeout_s <= 0:
            raise RecipeError("serve.batch_window_ms must be 0 or more and serve.request_timeout_s above 0")

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)
