"""The openai_compatible teacher through the real openai client, against the loopback server."""

from __future__ import annotations

import pytest

from distill.contract import REQUEST, TeacherContract
from distill.loopback import KEY_A, KEY_B, OPENAI, Loopback, chat_error, pairs_json
from slm_recipes.core.errors import RecipeError
from slm_recipes.distill.keys import KeyPool
from slm_recipes.distill.openai_compatible import OpenAICompatibleTeacher
from slm_recipes.distill.teacher import TeacherFailed


class TestOpenAICompatibleContract(TeacherContract):
    provider = OPENAI


def test_json_object_response_format_and_temperature() -> None:
    with Loopback() as server:
        server.script(OPENAI.ok(pairs_json(1)))
        OPENAI.teacher(server, [KEY_A]).generate(REQUEST)
    (seen,) = server.seen
    assert seen.path == "/v1/chat/completions" and seen.body["model"] == "test-model"
    assert seen.body["response_format"] == {"type": "json_object"} and seen.body["temperature"] == 0.1
    assert [m["role"] for m in seen.body["messages"]] == ["system", "user"]


def test_local_server_needs_no_key() -> None:
    with Loopback() as server:
        server.script(OPENAI.ok(pairs_json(1)))
        teacher = OpenAICompatibleTeacher("qwen2.5:7b", KeyPool("openai_compatible", []), server.url + "/v1")
        assert len(teacher.generate(REQUEST).pairs) == 1
    assert server.keys_seen() == ["not-needed"]


def test_model_is_required() -> None:
    with pytest.raises(RecipeError, match="needs a model name"):
        OpenAICompatibleTeacher(None, KeyPool("openai_compatible", [KEY_A]), "http://127.0.0.1:9/v1")


def test_retry_after_header_sets_the_cool_down() -> None:
    with Loopback() as server:
        server.script(chat_error(429, "Rate limit reached for requests", "rate_limit_exceeded", {"retry-after": "120"}),
                      OPENAI.ok(pairs_json(1)))
        teacher = OPENAI.teacher(server, [KEY_A, KEY_B])
        teacher.generate(REQUEST)
    assert 100 < teacher.keys.states()[0]["cooldown_left_s"] <= 120


def test_bad_request_fails_at_once() -> None:
    with Loopback() as server:
        server.script(chat_error(400, "response_format is not supported by this model"))
        with pytest.raises(TeacherFailed, match="HTTP 400: response_format is not supported"):
            OPENAI.teacher(server, [KEY_A, KEY_B]).generate(REQUEST)
    assert len(server.seen) == 1
