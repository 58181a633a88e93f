"""Request bodies read in the OpenAI shape; each bad one is a single line naming the field."""

from __future__ import annotations

import pytest

from slm_recipes.serve.requests import BadRequest, ChatRequest, chat_messages, parse, stop_strings


def test_text_parts_are_joined_and_developer_is_a_system_turn():
    request = parse(b'{"model": "m", "user": "u1", "frequency_penalty": 0, "messages": ['
                    b'{"role": "developer", "content": "be brief"},'
                    b'{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]}',
                    ChatRequest)
    assert chat_messages(request, 8) == [{"role": "system", "content": "be brief"},
                                         {"role": "user", "content": "a\nb"}]
    assert request.retrieval is True and stop_strings(request) == ()


def test_json_errors_name_line_and_column_and_type_errors_the_field():
    with pytest.raises(BadRequest, match=r"not valid JSON \(line 2 column 1\)"):
        parse(b'{"messages":\n', ChatRequest)
    with pytest.raises(BadRequest) as wrong:
        parse(b'{"messages": [{"role": "user", "content": "q"}], "max_tokens": 0}', ChatRequest)
    assert wrong.value.param == "max_tokens" and "greater than or equal to 1" in wrong.value.message
    with pytest.raises(BadRequest) as union:
        parse(b'{"messages": [{"role": "user", "content": {"a": 1}}]}', ChatRequest)
    assert union.value.message == "messages.0.content: Input should be a valid string or Input should be a valid array"


def test_what_this_server_does_not_do_is_refused_by_name():
    def refused(body: str) -> str:
        with pytest.raises(BadRequest) as err:
            request = parse(body.encode(), ChatRequest)
            chat_messages(request, 8)
            stop_strings(request)
        return err.value.message

    base = '"messages": [{"role": "user", "content": "q"}]'
    assert refused('{' + base + ', "tools": [{"type": "function"}]}').startswith("tools are not supported")
    assert refused('{' + base + ', "stop": ["a", "b", "c", "d", "e"]}') == "stop takes at most 4 strings"
    assert refused('{"messages": [{"role": "user", "content": "   "}]}') == "the last user message is empty"
    assert refused('{"messages": [{"role": "function", "content": "x"}]}').startswith("messages.0.role 'function'")
