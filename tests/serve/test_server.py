"""The server under load it cannot take at once: a full queue, a client that leaves, a request that runs too long."""

from __future__ import annotations

import threading
import time

import httpx
import openai
import pytest
from transformers import AutoModelForCausalLM, AutoTokenizer

from slm_recipes.core.errors import RecipeError
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.serve.config import ServeConfig
from slm_recipes.serve.server import RunningServer, chat_service, check_exposure

pytestmark = pytest.mark.usefixtures("one_torch_thread")
STEP_S = 0.05  # each forward pass waits this long: a model slow enough to be caught mid-answer
QUESTION = [{"role": "user", "content": "住宿费每晚最多多少元？"}]


@pytest.fixture
def slow_server(tiny_qwen2):
    """One request at a time, one waiting, a forward pass every 50 ms; started and stopped in the test."""
    started = []

    def start(**limits) -> RunningServer:
        model = AutoModelForCausalLM.from_pretrained(tiny_qwen2)
        model.register_forward_pre_hook(lambda module, args: time.sleep(STEP_S))
        config = ServeConfig(port=0, **{"max_batch": 1, "queue_size": 1, **limits})
        service = chat_service(model, AutoTokenizer.from_pretrained(tiny_qwen2),
                               GenerationSettings(max_new_tokens=8, repetition_penalty=3.0), None, None, config, "tiny")
        started.append(RunningServer(service, None, "127.0.0.1", 0, log_level="warning").start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


def health(server) -> dict:
    return httpx.get(f"{server.url}/health").json()["batch"]


def wait_for(condition, what: str) -> None:
    until = time.monotonic() + 60  # a hang guard, not a speed check
    while not condition():
        if time.monotonic() > until:
            pytest.fail(f"never {what}")
        time.sleep(0.02)


def long_request(server, results: list) -> threading.Thread:
    def run() -> None:
        reply = httpx.post(f"{server.url}/v1/chat/completions", timeout=120,
                           json={"messages": QUESTION, "max_tokens": 40, "stream": False})
        results.append(reply)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_full_queue_answers_429_with_retry_after_and_the_others_are_served(slow_server):
    server = slow_server(retry_after_s=3)
    first: list = []
    running = long_request(server, first)
    wait_for(lambda: health(server)["active"] == 1, "admitted the first request")
    second: list = []
    waiting = long_request(server, second)
    wait_for(lambda: health(server)["waiting"] == 1, "queued the second request")
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.RateLimitError) as busy:
        client.chat.completions.create(model="tiny", messages=QUESTION)
    assert busy.value.status_code == 429 and busy.value.response.headers["retry-after"] == "3"
    assert "the server is busy" in busy.value.message and busy.value.body["type"] == "rate_limit_error"
    running.join()
    waiting.join()
    assert first[0].status_code == second[0].status_code == 200
    assert first[0].json()["usage"]["completion_tokens"] == 40


def test_a_client_leaving_mid_stream_frees_its_place_at_once(slow_server):
    server = slow_server()
    body = {"messages": QUESTION, "max_tokens": 200, "stream": True}
    with httpx.stream("POST", f"{server.url}/v1/chat/completions", json=body, timeout=120) as stream:
        events = []
        for line in stream.iter_lines():
            events += [line] if line.startswith("data:") else []
            if len(events) == 3:  # the role, then two pieces of the answer
                break
    assert '"content"' in events[-1]
    reply = httpx.post(f"{server.url}/v1/chat/completions", json={"messages": QUESTION}, timeout=120)
    assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"]
    batch = health(server)
    # the one place was given back long before the 200 tokens the leaver asked for
    assert batch["dropped"] == 1 and batch["steps"] < 100 and batch["active"] == 0


def test_a_request_over_its_time_gets_504_and_a_stream_an_error_event(slow_server):
    server = slow_server(request_timeout_s=0.5)
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.APIStatusError) as late:
        client.chat.completions.create(model="tiny", messages=QUESTION, max_tokens=200)
    assert late.value.status_code == 504 and "serve.request_timeout_s (0.5 s)" in late.value.message
    with pytest.raises(openai.APIError, match="serve.request_timeout_s"):
        list(client.chat.completions.create(model="tiny", messages=QUESTION, max_tokens=200, stream=True))
    assert health(server)["active"] == 0


def test_only_loopback_goes_without_a_key():
    check_exposure(ServeConfig(host="127.0.0.1"), None)
    check_exposure(ServeConfig(host="::1"), None)
    check_exposure(ServeConfig(host="0.0.0.0"), "sk-some-key")
    with pytest.raises(RecipeError, match=r"serve.host 0.0.0.0 is reachable from other machines: set an API key first "
                                          r"\(export SLM_API_KEY="):
        check_exposure(ServeConfig(host="0.0.0.0"), None)


def test_a_port_in_use_is_one_line_naming_it(slow_server):
    server = slow_server()
    port = int(server.url.rsplit(":", 1)[1])
    with pytest.raises(RecipeError, match=f"cannot listen on 127.0.0.1:{port}: .*; choose another --port"):
        RunningServer(server.service, None, "127.0.0.1", port)
