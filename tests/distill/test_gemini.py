"""The gemini teacher through the real google-genai client, against the loopback server."""

from __future__ import annotations

import pytest

from distill.contract import REQUEST, TeacherContract
from distill.loopback import GEMINI, KEY_A, KEY_B, Loopback, gemini_error, pairs_json
from slm_recipes.core.errors import RecipeError
from slm_recipes.distill.gemini import GeminiTeacher
from slm_recipes.distill.keys import KeyPool


class TestGeminiContract(TeacherContract):
    provider = GEMINI


def test_json_mode_with_the_response_schema() -> None:
    with Loopback() as server:
        server.script(GEMINI.ok(pairs_json(1)))
        GEMINI.teacher(server, [KEY_A], model=None).generate(REQUEST)
    (seen,) = server.seen
    assert seen.path.endswith("/models/gemini-2.5-flash:generateContent")
    config = seen.body["generationConfig"]
    assert config["responseMimeType"] == "application/json" and config["temperature"] == 0.1
    assert config["responseSchema"]["properties"]["pairs"]["items"]["required"] == ["question", "answer"]
    assert seen.headers["x-goog-api-key"] == KEY_A


def test_invalid_api_key_400_disables_the_key() -> None:
    invalid = gemini_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                           [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}])
    with Loopback() as server:
        server.script(invalid, GEMINI.ok(pairs_json(1)))
        teacher = GEMINI.teacher(server, [KEY_A, KEY_B])
        teacher.generate(REQUEST)
    assert [row["state"] for row in teacher.keys.states()] == ["disabled: rejected (400)", "ready"]


def test_retry_delay_from_the_error_details_sets_the_cool_down() -> None:
    limited = gemini_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.",
                           [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "300s"}])
    with Loopback() as server:
        server.script(limited, GEMINI.ok(pairs_json(1)))
        teacher = GEMINI.teacher(server, [KEY_A, KEY_B])
        teacher.generate(REQUEST)
    assert 200 < teacher.keys.states()[0]["cooldown_left_s"] <= 300


def test_no_key_is_a_clear_error() -> None:
    with pytest.raises(RecipeError, match="GEMINI_API_KEYS or GEMINI_API_KEY"):
        GeminiTeacher(None, KeyPool("gemini", []))
