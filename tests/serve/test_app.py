"""`slm serve` through the real `openai` client: the answers are `slm predict`'s, with sources, safely limited."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import threading
from pathlib import Path

import httpx
import openai
import pytest

from serve.site import KEY, QUESTIONS, UNANSWERABLE

pytestmark = pytest.mark.usefixtures("one_torch_thread")
ALL = [*QUESTIONS, UNANSWERABLE]


def client(site, key: str = KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{site.url}/v1", api_key=key, max_retries=0, timeout=120)


def ask(question: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}]


def streamed(site, question: str, **extra) -> tuple[str, list]:
    chunks = list(client(site).chat.completions.create(model="tiny", messages=ask(question), stream=True,
                                                         stream_options={"include_usage": True}, **extra))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks


def test_answers_whole_and_streamed_are_predicts_with_its_sources(site):
    for question, expected in zip(ALL, site.open_book):
        reply = client(site).chat.completions.create(model="tiny", messages=ask(question))
        text = reply.choices[0].message.content
        assert text == expected["answer"], question
        assert reply.choices[0].finish_reason == ("stop" if expected["ended"] else "length")
        extra = reply.model_extra
        assert extra["sources"] == expected["sources"] and extra["cited"] == expected["cited"]
        answered = bool(expected["sources"])  # else the unanswerable sentence, nothing generated
        assert reply.usage.completion_tokens <= 8 and (reply.usage.prompt_tokens > 0) == answered
        streamed_text, chunks = streamed(site, question)
        assert streamed_text == text
        finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
        assert len(finish) == 1 and finish[0].model_extra["sources"] == expected["sources"]
        assert chunks[0].choices[0].delta.role == "assistant" and chunks[-1].usage == reply.usage
    assert all(e["answer"].strip() for e in site.open_book)
    first = site.open_book[0]
    assert first["sources"][0]["text"] == "第一条 住宿费每人每晚不超过380元。"
    assert first["sources"][0]["doc"].endswith("rules.txt") and first["sources"][0]["pages"] == [1, 1]
    assert site.open_book[-1]["answer"] == "所给文档中没有关于这个问题的规定。" and site.open_book[-1]["sources"] == []


def test_retrieval_off_answers_closed_book_as_predict_no_retrieval(site):
    for question, expected in zip(ALL[:3], site.closed_book):
        reply = client(site).chat.completions.create(model="tiny", messages=ask(question),
                                                     extra_body={"retrieval": False})
        assert reply.choices[0].message.content == expected["answer"]
        assert reply.model_extra["sources"] == [] and reply.model_extra["cited"] is None
    text, _ = streamed(site, UNANSWERABLE, extra_body={"retrieval": False})
    assert text == site.closed_book[-1]["answer"] != site.open_book[-1]["answer"]


def test_eight_concurrent_clients_get_their_own_answers_generated_together(site):
    answers: dict[int, str] = {}
    start = threading.Barrier(len(QUESTIONS))

    def one(n: int) -> None:
        start.wait()
        if n % 2:
            answers[n] = streamed(site, QUESTIONS[n])[0]
        else:
            answers[n] = client(site).chat.completions.create(model="tiny", messages=ask(QUESTIONS[n])).choices[0] \
                .message.content

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(QUESTIONS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answers[n] for n in range(len(QUESTIONS))] == [e["answer"] for e in site.open_book[:len(QUESTIONS)]]
    batch = httpx.get(f"{site.url}/health").json()["batch"]
    assert batch["peak"] > 1 and batch["active"] == 0  # several were generated in one batch


def test_a_key_is_needed_everywhere_but_health_and_never_printed(site):
    with pytest.raises(openai.AuthenticationError) as refused:
        client(site, key="sk-wrong").chat.completions.create(model="tiny", messages=ask(QUESTIONS[0]))
    assert refused.value.status_code == 401 and refused.value.body["code"] == "invalid_api_key"
    assert httpx.get(f"{site.url}/v1/models").status_code == 401
    assert httpx.post(f"{site.url}/v1/retrieve", json={"query": "住宿费"}).status_code == 401
    assert httpx.get(f"{site.url}/health").json()["status"] == "ok"
    assert [m.id for m in client(site).models.list()] == ["tiny"]
    assert client(site).models.retrieve("tiny").owned_by == "slm-recipes"
    assert KEY not in site.printed() and "$SLM_API_KEY" in site.printed()


@pytest.mark.parametrize("body, param, said", [
    ({"max_tokens": 33}, "max_tokens", "max_tokens 33 is over this server's limit of 32 (serve.max_tokens)"),
    ({"messages": [{"role": "user", "content": "问"}] * 7}, "messages", "7 messages; at most 6"),
    ({"messages": [{"role": "user", "content": "住宿费" * 300}]}, "messages", "at most 400 are read"),
    ({"n": 2}, "n", "n must be 1"),
    ({"messages": [{"role": "tool", "content": "1"}]}, "messages.0.role", "'tool' is not supported"),
    ({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}, "messages.0.content", "only text parts"),
    ({"messages": [{"role": "user", "content": 3}]}, "messages.0.content", "valid string"),
    ({"temperature": "hot"}, "temperature", "valid number"),
    ({"messages": []}, "messages", "messages is empty"),
    ({"messages": [{"role": "assistant", "content": "好"}]}, "messages.0.role", "must be the user's question"),
])
def test_over_the_limits_or_malformed_is_400_naming_the_field(site, body, param, said):
    request = {"model": "tiny", "messages": ask(QUESTIONS[0]), **body}
    reply = httpx.post(f"{site.url}/v1/chat/completions", json=request, headers={"Authorization": f"Bearer {KEY}"})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["param"] == param and said in error["message"] and error["type"] == "invalid_request_error"
    assert "Traceback" not in reply.text


def test_bad_bodies_get_the_openai_error_shape(site):
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    post = lambda body: httpx.post(f"{site.url}/v1/chat/completions", content=body, headers=headers)
    reply = post(b'{"messages": [')
    assert reply.status_code == 400 and reply.json()["error"]["message"].startswith("the request body is not valid JSON")
    reply = post(b'{"model": "tiny"}')
    assert reply.status_code == 400 and reply.json()["error"]["param"] == "messages"
    reply = post(b"x" * 20001)
    assert reply.status_code == 400 and "at most 20000 are read" in reply.json()["error"]["message"]
    with pytest.raises(openai.NotFoundError, match="this server serves 'tiny'"):
        client(site).chat.completions.create(model="gpt-4o", messages=ask(QUESTIONS[0]))
    reply = httpx.get(f"{site.url}/v1/nothing", headers=headers)
    assert reply.status_code == 404 and reply.json()["error"]["message"] == "no route GET /v1/nothing"


def test_retrieve_returns_the_indexed_passages_with_scores(site):
    raw = httpx.post(f"{site.url}/v1/retrieve", json={"query": "住宿费每晚多少元", "top_k": 2},
                     headers={"Authorization": f"Bearer {KEY}"})
    assert "住宿费每人每晚" in raw.text  # Chinese as itself, readable in curl's output
    reply = raw.json()
    first = reply["data"][0]
    assert len(reply["data"]) == 2 and first["text"] == "第一条 住宿费每人每晚不超过380元。"
    assert first["doc"].endswith("rules.txt") and first["pages"] == [1, 1] and first["chunk_id"]
    assert first["score"] > reply["data"][1]["score"] and 0 < first["relevance"] <= 1
    empty = httpx.post(f"{site.url}/v1/retrieve", json={"query": " "}, headers={"Authorization": f"Bearer {KEY}"})
    assert empty.status_code == 400 and empty.json()["error"]["message"] == "query is empty"


def test_a_short_load_at_1_4_and_16_clients_is_all_answered_and_recorded(site):
    """The load benchmark's own client against the tiny model: bounded (8-32 requests of 8 tokens), loopback only."""
    path = Path(__file__).resolve().parents[2] / "benchmarks/serve_load.py"
    spec = importlib.util.spec_from_file_location("serve_load", path)
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    headers = {"Authorization": f"Bearer {KEY}"}
    rows = [asyncio.run(load.closed_loop(site.url, "tiny", QUESTIONS, clients, 8, {}, headers)) for clients in (1, 4, 16)]
    assert [row["requests"] for row in rows] == [8, 8, 32]
    assert all(row["tokens"] > 0 and 0 < row["p50_s"] <= row["p99_s"] and row["tokens_per_s"] > 0 for row in rows)
    (site.folder / "load.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")  # the figures, kept
