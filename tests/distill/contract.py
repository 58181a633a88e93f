"""What every LLM teacher must do, run against its real SDK and the loopback server.

Each provider's test file subclasses `TeacherContract` with its `provider` (and adds its own cases).
"""

from __future__ import annotations

import json
import logging
import threading

import pytest

from distill.loopback import KEY_A, KEY_B, Loopback, Provider, Reply, pairs_json
from slm_recipes.distill.keys import NoUsableKey
from slm_recipes.distill.teacher import TeacherFailed, TeacherRequest

REQUEST = TeacherRequest(chunk={"id": "c-1", "text": "报销上限为3000元。"}, stage="numeric",
                         system_prompt="You write QA pairs.", user_prompt="Chunk: 报销上限为3000元。", temperature=0.1)


class TeacherContract:
    provider: Provider

    def test_success_parses_pairs_and_sends_the_prompts(self) -> None:
        with Loopback() as server:
            server.script(self.provider.ok(pairs_json(2)))
            reply = self.provider.teacher(server, [KEY_A]).generate(REQUEST)
        assert reply.pairs == [{"question": "Q0?", "answer": "A0."}, {"question": "Q1?", "answer": "A1."}]
        assert reply.model == "test-model" and reply.usage["total_tokens"] == 18
        (seen,) = server.seen
        assert seen.key == KEY_A
        assert seen.texts == [REQUEST.system_prompt, REQUEST.user_prompt]

    def test_repairable_reply_is_repaired_without_a_retry(self) -> None:
        with Loopback() as server:
            server.script(self.provider.ok("Here you go:\n```json\n" + pairs_json(1)[:-2] + ",]}\n```"))
            reply = self.provider.teacher(server, [KEY_A]).generate(REQUEST)
        assert reply.pairs == [{"question": "Q0?", "answer": "A0."}] and len(server.seen) == 1

    def test_invalid_json_is_retried_once_with_the_error_shown(self) -> None:
        with Loopback() as server:
            server.script(self.provider.ok("question: Q? answer: A"), self.provider.ok(pairs_json(1)))
            reply = self.provider.teacher(server, [KEY_A]).generate(REQUEST)
        assert len(reply.pairs) == 1 and len(server.seen) == 2
        retry = server.seen[1].texts
        assert retry[2] == "question: Q? answer: A" and "not valid JSON" in retry[3] and '"pairs"' in retry[3]

    def test_a_reply_of_brackets_thousands_deep_is_a_failure_of_the_chunk(self) -> None:
        with Loopback(default=self.provider.ok("[" * 5000)) as server:  # our parser, or the SDK's own (Gemini's)
            with pytest.raises(TeacherFailed, match="nests brackets too deeply|RecursionError"):
                self.provider.teacher(server, [KEY_A]).generate(REQUEST)
        assert 1 <= len(server.seen) <= 2

    def test_the_good_pairs_of_a_partly_bad_reply_are_kept(self) -> None:
        text = json.dumps({"pairs": [{"question": "Q0?", "answer": "A0."}, {"question": "Q1?"}, "x"]})
        with Loopback() as server:
            server.script(self.provider.ok(text))
            reply = self.provider.teacher(server, [KEY_A]).generate(REQUEST)
        assert reply.pairs == [{"question": "Q0?", "answer": "A0."}] and reply.invalid == 2 and len(server.seen) == 1

    def test_an_empty_pairs_list_is_asked_again_then_a_failure(self) -> None:
        with Loopback(default=self.provider.ok('{"pairs": []}')) as server:
            with pytest.raises(TeacherFailed, match="the reply holds no pairs"):
                self.provider.teacher(server, [KEY_A]).generate(REQUEST)
        assert len(server.seen) == 2

    def test_an_empty_body_is_retried(self) -> None:
        with Loopback() as server:
            server.script(Reply(200, raw=b"", content_type="application/json"), self.provider.ok(pairs_json(1)))
            reply = self.provider.teacher(server, [KEY_A]).generate(REQUEST)
        assert len(reply.pairs) == 1 and len(server.seen) == 2

    def test_an_html_page_says_what_came_back(self) -> None:
        page = Reply(200, raw=b"<!DOCTYPE html><html><body>Please log in</body></html>", content_type="text/html")
        with Loopback(default=page) as server:
            with pytest.raises(TeacherFailed) as err:
                self.provider.teacher(server, [KEY_A], max_retries=1).generate(REQUEST)
        assert "empty" not in str(err.value) and ("HTML page" in str(err.value) or "not JSON" in str(err.value))

    def test_a_used_up_quota_sets_the_key_aside_and_the_next_one_answers(self) -> None:
        with Loopback() as server:
            server.script(self.provider.quota, self.provider.ok(pairs_json(1)), self.provider.ok(pairs_json(1)))
            teacher = self.provider.teacher(server, [KEY_A, KEY_B])
            teacher.generate(REQUEST)
            teacher.generate(REQUEST)
        assert server.keys_seen() == [KEY_A, KEY_B, KEY_B]
        assert teacher.keys.states()[0]["state"] == "disabled: out of quota"

    def test_every_key_cooling_is_said_and_a_deadline_ends_the_wait(self, caplog) -> None:
        with Loopback(default=self.provider.rate_limit) as server, caplog.at_level(logging.WARNING):
            teacher = self.provider.teacher(server, [KEY_A], max_wait=0.5, sleep=lambda s: None)
            with pytest.raises(NoUsableKey, match=r"all 1 rate-limited for over 0.5 s \(distill.max_wait_s\)"):
                teacher.generate(REQUEST)
        assert "cooling down after rate limits; next try in" in caplog.text

    def test_a_refused_connection_names_the_url(self) -> None:
        with Loopback() as server:
            url = server.url
        teacher = self.provider.teacher(server, [KEY_A], max_retries=0)
        with pytest.raises(TeacherFailed, match=f"cannot connect to {url}"):
            teacher.generate(REQUEST)

    def test_invalid_json_twice_is_a_failure(self) -> None:
        with Loopback() as server:
            server.script(self.provider.ok("no json"), self.provider.ok("still {not json"))
            with pytest.raises(TeacherFailed, match="c-1.*unusable after one retry: not valid JSON"):
                self.provider.teacher(server, [KEY_A]).generate(REQUEST)
        assert len(server.seen) == 2

    def test_rate_limit_rotates_to_the_next_key_and_cools_the_first_down(self) -> None:
        with Loopback() as server:
            server.script(self.provider.rate_limit, self.provider.ok(pairs_json(1)), self.provider.ok(pairs_json(1)))
            teacher = self.provider.teacher(server, [KEY_A, KEY_B])
            teacher.generate(REQUEST)
            teacher.generate(REQUEST)  # key A still cools down: B again
        assert server.keys_seen() == [KEY_A, KEY_B, KEY_B]
        a, b = teacher.keys.states()
        assert a["state"] == "cooling down" and a["cooldown_left_s"] > 0 and a["failures"] == 1
        assert b["state"] == "ready" and b["requests"] == 2

    def test_bad_key_is_disabled_with_a_clear_message(self, caplog) -> None:
        with Loopback() as server, caplog.at_level(logging.WARNING):
            server.script(self.provider.bad_key, self.provider.ok(pairs_json(1)))
            teacher = self.provider.teacher(server, [KEY_A, KEY_B])
            assert len(teacher.generate(REQUEST).pairs) == 1
        assert server.keys_seen() == [KEY_A, KEY_B]
        assert teacher.keys.states()[0]["state"] == "disabled: rejected (401)"
        assert f"{self.provider.name} key #1 (…a1) was rejected" in caplog.text and "disabled" in caplog.text

    def test_all_keys_bad_stops_with_no_usable_key(self) -> None:
        with Loopback(default=self.provider.bad_key) as server:
            teacher = self.provider.teacher(server, [KEY_A, KEY_B])
            with pytest.raises(NoUsableKey, match=r"no usable key for \w+: 2 rejected \(401\)"):
                teacher.generate(REQUEST)
        assert server.keys_seen() == [KEY_A, KEY_B]

    def test_server_error_then_success(self) -> None:
        with Loopback() as server:
            server.script(self.provider.server_error, self.provider.ok(pairs_json(1)))
            teacher = self.provider.teacher(server, [KEY_A])
            assert len(teacher.generate(REQUEST).pairs) == 1
        assert len(server.seen) == 2 and teacher.keys.states()[0]["state"] == "ready"

    def test_server_errors_past_max_retries_are_a_failure(self) -> None:
        with Loopback(default=self.provider.server_error) as server, pytest.raises(TeacherFailed, match="after 3 tries.*500"):
            self.provider.teacher(server, [KEY_A], max_retries=2).generate(REQUEST)
        assert len(server.seen) == 3

    def test_slow_reply_times_out_and_is_retried(self) -> None:
        with Loopback() as server:
            server.script(Reply(200, json.loads("{}"), delay=1.0), self.provider.ok(pairs_json(1)))
            teacher = self.provider.teacher(server, [KEY_A], timeout=0.2)
            assert len(teacher.generate(REQUEST).pairs) == 1
        assert len(server.seen) == 2

    def test_concurrent_calls_share_the_pool(self) -> None:
        with Loopback(default=self.provider.ok(pairs_json(1))) as server:
            teacher = self.provider.teacher(server, [KEY_A, KEY_B])
            results: list[int] = []
            threads = [threading.Thread(target=lambda: results.append(len(teacher.generate(REQUEST).pairs)))
                       for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        assert results == [1] * 8
        assert sorted(server.keys_seen()) == [KEY_A] * 4 + [KEY_B] * 4
