"""Keys never reach logs, cached files, outputs, failures, exceptions or the console.

A real distill run (the pipeline, all three LLM teachers in a fallback chain, their real SDKs at DEBUG
log level) against a loopback server whose error messages echo the key back, as real services do;
then every file the run wrote, and everything it printed, is searched for the fake keys.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from distill.loopback import Loopback, Reply, Seen, chat_error, chat_ok, gemini_error, gemini_ok, pairs_json
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.distill.config import DistillConfig
from slm_recipes.distill.gemini import GeminiTeacher
from slm_recipes.distill.key_table import render_states
from slm_recipes.distill.keys import KeyPool
from slm_recipes.distill.openai_compatible import OpenAICompatibleTeacher
from slm_recipes.distill.pipeline import run_distill
from slm_recipes.distill.zhipu import ZhipuTeacher

G1, G2 = "AIzaFAKE-gemini-one-0000000001", "AIzaFAKE-gemini-two-0000000002"
Z1, Z2 = "fakezhipu0000000001.secretpartone", "fakezhipu0000000002.secretparttwo"
O1 = "sk-FAKE-openai-only-0000000003"
KEYS = (G1, G2, Z1, Z2, O1)


def respond(seen: Seen) -> Reply:
    """Every error message quotes the key it got, whole and in part."""
    key, bad_chunk = seen.key, any("BADCHUNK" in t for t in seen.texts)
    echo = f"key {key} ({key[:6]}...{key[-4:]})"
    if seen.path.endswith(":generateContent"):
        if key == G1:
            return gemini_error(401, "UNAUTHENTICATED", f"API {echo} is not valid")
        return gemini_ok("this is not json" if bad_chunk else pairs_json(2))
    if seen.path.startswith("/api/paas/v4/"):
        if key == Z1:
            return chat_error(429, f"并发数过高 for {echo}", "1302")
        return chat_error(400, f"敏感内容 {echo}", "1301") if bad_chunk else chat_ok(pairs_json(1))
    return chat_error(400, f"bad request with {echo}") if bad_chunk else chat_ok(pairs_json(1))


def test_no_key_in_any_file_log_or_output(tmp_path: Path, capsys, caplog) -> None:
    chunks = tmp_path / "chunks.jsonl"
    chunks.write_text("".join(json.dumps({"id": f"c{i}", "doc": "d.txt", "pages": [1, 1], "text": text}, ensure_ascii=False)
                              + "\n" for i, text in enumerate(["报销上限为3000元。", "BADCHUNK 差旅补贴每天200元。", "住宿费每晚500元。"])))
    out = tmp_path / "run"
    log_file = out / "debug.log"
    out.mkdir()
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)  # the SDKs' and httpx's debug logs too
    try:
        with Loopback(default=respond) as server, caplog.at_level(logging.DEBUG):
            teachers = [
                GeminiTeacher(None, KeyPool("gemini", [G1, G2]), server.url, backoff=0),
                ZhipuTeacher(None, KeyPool("zhipu", [Z1, Z2]), server.url + "/api/paas/v4", backoff=0),
                OpenAICompatibleTeacher("m", KeyPool("openai_compatible", [O1]), server.url + "/v1", backoff=0),
            ]
            config = DistillConfig(output=str(out / "distilled.jsonl"), cache_dir=str(out / "cache"),
                                   teachers=["gemini", "zhipu", "openai_compatible"], base_url=server.url + "/v1",
                                   concurrency=4)
            paths = RunPaths("t", "m", chunks_file=chunks, distilled_file=config.output, distill_cache_folder=config.cache_dir)
            report = run_distill(config, paths, teachers, show_progress=True)
            print(render_states(t.keys for t in teachers))
            print(report)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    assert {s.key for s in server.seen} == set(KEYS)  # every key was really used
    assert report.records > 0 and len(report.failures) == 2  # BADCHUNK failed with all three teachers, both stages
    failures = (out / "distilled.failures.jsonl").read_text(encoding="utf-8")
    assert "1301" in failures and "HTTP 400" in failures
    printed = capsys.readouterr()
    written = {str(p): p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file()}
    assert len(written) >= 3 and "HTTP Request: POST" in written[str(log_file)]  # the debug log did capture the traffic
    places = {**written, "stdout": printed.out, "stderr": printed.err, "caplog": caplog.text}
    for key in KEYS:
        for fragment in (key, key[:8], key[-6:]):
            leaks = [where for where, text in places.items() if fragment in text]
            assert not leaks, f"a fragment of a fake key is in {leaks}"
