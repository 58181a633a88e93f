"""The `zhipu` teacher: GLM models through the `zhipuai` client, JSON output."""

from __future__ import annotations

from typing import Any

from slm_recipes.distill.keys import KeyPool
from slm_recipes.distill.openai_compatible import chat_reply
from slm_recipes.distill.retry import ChatTeacher, Failure, Messages, failure_from_status, retry_after_seconds

# Zhipu's business error codes (in the body, `{"error": {"code": "1302", ...}}`).
RATE_LIMIT_CODES = {"1302", "1303", "1305"}  # concurrency / frequency too high, too many requests
QUOTA_CODES = {"1113", "1304"}  # account in arrears / daily call limit reached
AUTH_CODES = {"1000", "1001", "1002", "1003", "1004"}  # authentication failed, token invalid or expired
CONTENT_CODES = {"1301"}  # the content filter refused this input: a failure for this chunk, not a key problem


class ZhipuTeacher(ChatTeacher):
    """Chat completions with `response_format={"type": "json_object"}`; default model `glm-4-flash`."""

    name = "zhipu"
    default_model = "glm-4-flash"

    def __init__(self, model: str | None, keys: KeyPool, base_url: str | None = None, timeout: float = 60.0,
                 max_retries: int = 4, **kwargs: Any) -> None:
        super().__init__(model, keys.require(), base_url, timeout, max_retries, **kwargs)

    def new_client(self, secret: str) -> Any:
        from zhipuai import ZhipuAI

        # disable_token_cache: send the key as the bearer token (no JWT made from it)
        return ZhipuAI(api_key=secret, base_url=self.base_url, timeout=self.timeout, max_retries=0,
                       disable_token_cache=True)

    def send(self, client: Any, messages: Messages, temperature: float) -> tuple[str, dict[str, int]]:
        response = client.chat.completions.create(model=self.model, messages=messages, temperature=temperature,
                                                  response_format={"type": "json_object"})
        return chat_reply(response)

    def classify(self, exc: Exception) -> Failure:
        from zhipuai.core import _errors as errors

        if isinstance(exc, (errors.APITimeoutError, errors.APIConnectionError)):
            return Failure("transient", type(exc).__name__)
        if isinstance(exc, errors.APIStatusError):
            code, message = zhipu_error(exc.response)
            retry_after = retry_after_seconds(exc.response.headers)
            described = f"error {code}: {message}" if code else message
            if code in AUTH_CODES:
                return Failure("auth", f"HTTP {exc.status_code} {described}")
            if code in RATE_LIMIT_CODES:
                return Failure("rate_limit", f"HTTP {exc.status_code} {described}", retry_after)
            if code in QUOTA_CODES:
                return Failure("quota", f"HTTP {exc.status_code} {described}", retry_after)
            if code in CONTENT_CODES:
                return Failure("fatal", f"HTTP {exc.status_code} {described} (content filter)")
            return failure_from_status(exc.status_code, described, retry_after)
        return Failure("fatal", type(exc).__name__)


def zhipu_error(response: Any) -> tuple[str, str]:
    try:
        body = response.json()
    except Exception:  # noqa: BLE001 - not JSON: no code
        return "", (response.text or "")[:200]
    inner = body.get("error", body) if isinstance(body, dict) else {}
    if not isinstance(inner, dict):
        return "", str(inner)[:200]
    return str(inner.get("code", "")), str(inner.get("message", ""))
