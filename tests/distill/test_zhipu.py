"""The zhipu teacher through the real zhipuai client, against the loopback server."""

from __future__ import annotations

import pytest

from distill.contract import REQUEST, TeacherContract
from distill.loopback import KEY_A, KEY_B, ZHIPU, Loopback, chat_error, pairs_json
from slm_recipes.distill.teacher import TeacherFailed


class TestZhipuContract(TeacherContract):
    provider = ZHIPU


def test_json_mode_default_model_and_plain_bearer_key() -> None:
    with Loopback() as server:
        server.script(ZHIPU.ok(pairs_json(1)))
        reply = ZHIPU.teacher(server, [KEY_A], model=None).generate(REQUEST)
    (seen,) = server.seen
    assert reply.model == "glm-4-flash" and seen.body["model"] == "glm-4-flash"
    assert seen.body["response_format"] == {"type": "json_object"} and seen.body["temperature"] == 0.1
    assert seen.path == "/api/paas/v4/chat/completions" and seen.headers["authorization"] == f"Bearer {KEY_A}"


def test_arrears_1113_sets_the_key_aside_and_rotates_to_the_next() -> None:
    with Loopback() as server:
        server.script(chat_error(429, "您的账户已欠费，请充值后重试。", "1113"), ZHIPU.ok(pairs_json(1)))
        teacher = ZHIPU.teacher(server, [KEY_A, KEY_B])
        teacher.generate(REQUEST)
    assert server.keys_seen() == [KEY_A, KEY_B] and teacher.keys.states()[0]["state"] == "disabled: out of quota"


def test_content_filter_1301_fails_the_chunk_without_rotating() -> None:
    with Loopback() as server:
        server.script(chat_error(400, "系统检测到输入或生成内容可能包含不安全或敏感内容。", "1301"))
        teacher = ZHIPU.teacher(server, [KEY_A, KEY_B])
        with pytest.raises(TeacherFailed, match="1301.*content filter"):
            teacher.generate(REQUEST)
    assert server.keys_seen() == [KEY_A] and [r["state"] for r in teacher.keys.states()] == ["ready", "ready"]
