import json
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.distill.config import DistillConfig
from slm_recipes.distill.pipeline import run_distill
from slm_recipes.distill.teacher import TeacherFailed, TeacherReply, TeacherRequest
from slm_recipes.text.lexicon import load_lexicon

CHUNKS = 6


class FakeTeacher:
    """Two pairs per request; counts requests; `die_after` kills the run (KeyboardInterrupt) at that request."""

    def __init__(self, name: str = "fake", model: str = "m1", die_after: int | None = None, fail_on: tuple[str, ...] = ()):
        self.name, self.model, self.die_after, self.fail_on = name, model, die_after, fail_on
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def generate(self, request: TeacherRequest) -> TeacherReply:
        with self._lock:
            if self.die_after is not None and len(self.calls) >= self.die_after:
                raise KeyboardInterrupt
            self.calls.append((request.chunk["id"], request.stage))
        if request.chunk["id"] in self.fail_on:
            raise TeacherFailed(f"{self.name} could not parse the reply")
        n = int(request.chunk["id"][1:])
        return TeacherReply(pairs=[{"question": f"{request.stage} {n} 的上限是多少？", "answer": f"上限为{n}000元。"},
                                   {"question": f"{request.stage} {n} 谁审批？", "answer": "由部门负责人审批。"}],
                            model=self.model, usage={"total_tokens": 5})


def _config(tmp_path: Path, chunks: Path | None = None, **kwargs) -> DistillConfig:
    if chunks is None:
        chunks = tmp_path / "chunks.jsonl"
        chunks.write_text("".join(json.dumps({"id": f"c{i}", "doc": "rules.txt", "pages": [i, i], "span": [0, 9],
                                              "text": f"第{i}条 报销上限为{i}000元。"}, ensure_ascii=False) + "\n"
                                  for i in range(1, CHUNKS + 1)), encoding="utf-8")
    kwargs.setdefault("concurrency", 1)
    return DistillConfig(output=str(tmp_path / "out" / "distilled.jsonl"), cache_dir=str(tmp_path / "cache"), **kwargs)


def _paths(config: DistillConfig, chunks: Path | None = None) -> RunPaths:
    """The run's files as `_config` placed them; the chunks beside the output folder unless given."""
    return RunPaths("t", "m", chunks_file=chunks or Path(config.output).parents[1] / "chunks.jsonl",
                    distilled_file=config.output, distill_cache_folder=config.cache_dir)


def _records(config: DistillConfig) -> list[dict]:
    return [json.loads(line) for line in Path(config.output).read_text(encoding="utf-8").splitlines()]


def test_records_carry_provenance_and_stages_run_in_order(tmp_path: Path) -> None:
    config = _config(tmp_path)
    teacher = FakeTeacher()
    report = run_distill(config, _paths(config), [teacher], show_progress=False)
    assert [stage for _, stage in teacher.calls] == ["numeric"] * CHUNKS + ["general"] * CHUNKS
    records = _records(config)
    assert report.records == len(records) == 4 * CHUNKS and report.requested == 2 * CHUNKS
    first = records[0]
    assert set(first) == {"id", "question", "answer", "chunk_id", "doc", "pages", "teacher", "teacher_model", "stage", "numbers"}
    assert (first["chunk_id"], first["doc"], first["pages"], first["teacher"], first["stage"]) == ("c1", "rules.txt", [1, 1], "fake", "numeric")
    assert first["numbers"] == ["1000元"] and records[1]["numbers"] == []
    assert len({r["id"] for r in records}) == len(records)
    assert report.numeric_share == 0.5 and report.usage["total_tokens"] == 5 * 2 * CHUNKS
    assert not _paths(config).distill_journal.exists()


def test_second_run_is_served_from_the_cache_until_a_setting_changes(tmp_path: Path) -> None:
    config = _config(tmp_path)
    run_distill(config, _paths(config), [FakeTeacher()], show_progress=False)
    first = _records(config)
    again = FakeTeacher()
    report = run_distill(config, _paths(config), [again], show_progress=False)
    assert again.calls == [] and report.cached == 2 * CHUNKS and _records(config) == first
    config = replace(config, temperature=0.7)
    changed = FakeTeacher()
    run_distill(config, _paths(config), [changed], show_progress=False)
    assert len(changed.calls) == 2 * CHUNKS
    other_model = FakeTeacher(model="m2")
    run_distill(config, _paths(config), [other_model], show_progress=False)
    assert len(other_model.calls) == 2 * CHUNKS


def test_killed_run_resumes_from_the_journal_without_losing_or_duplicating(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        run_distill(config, _paths(config), [FakeTeacher(die_after=4)], show_progress=False)
    assert not Path(config.output).exists()
    journal = _paths(config).distill_journal
    with journal.open("a", encoding="utf-8") as file:  # a kill in the middle of writing a line
        file.write('{"key": "0123", "teacher": "fa')
    shutil.rmtree(config.cache_dir)  # the journal alone must be enough
    resumed = FakeTeacher()
    report = run_distill(config, _paths(config), [resumed], show_progress=False)
    assert len(resumed.calls) == 2 * CHUNKS - 4 and report.resumed == 4
    clean = _config(tmp_path / "clean", chunks=tmp_path / "chunks.jsonl")
    run_distill(clean, _paths(clean, tmp_path / "chunks.jsonl"), [FakeTeacher()], show_progress=False)
    assert _records(config) == _records(clean)
    assert not journal.exists()


def test_concurrent_run_killed_never_requests_a_finished_chunk_again(tmp_path: Path) -> None:
    config = _config(tmp_path, concurrency=4)
    first = FakeTeacher(die_after=5)
    with pytest.raises(KeyboardInterrupt):
        run_distill(config, _paths(config), [first], show_progress=False)
    second = FakeTeacher()
    run_distill(config, _paths(config), [second], show_progress=False)
    assert len(first.calls) + len(second.calls) == 2 * CHUNKS
    assert not set(first.calls) & set(second.calls)
    assert len(_records(config)) == 4 * CHUNKS


def test_fallback_teacher_and_failures_are_recorded_never_dropped(tmp_path: Path) -> None:
    config = _config(tmp_path, stages=["numeric"])
    primary = FakeTeacher("primary", fail_on=("c2", "c3"))
    backup = FakeTeacher("backup", fail_on=("c3",))
    report = run_distill(config, _paths(config), [primary, backup], show_progress=False)
    by_chunk = {r["chunk_id"]: r["teacher"] for r in _records(config)}
    assert by_chunk == {"c1": "primary", "c2": "backup", "c4": "primary", "c5": "primary", "c6": "primary"}
    (failure,) = report.failures
    assert failure["chunk_id"] == "c3" and [e["teacher"] for e in failure["errors"]] == ["primary", "backup"]
    failures = _paths(config).distill_failures
    assert json.loads(failures.read_text(encoding="utf-8"))["chunk_id"] == "c3"
    retry = FakeTeacher("primary")
    report = run_distill(config, _paths(config), [retry, FakeTeacher("backup")], show_progress=False)
    assert retry.calls == [("c3", "numeric")] and not report.failures and not failures.exists()
    assert len(_records(config)) == 2 * CHUNKS


def test_bad_settings_stop_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="run `slm ingest"):
        run_distill(DistillConfig(), RunPaths("t", "m", chunks_file=tmp_path / "missing.jsonl"), [FakeTeacher()],
                    show_progress=False)
    with pytest.raises(RecipeError, match="distill.stages"):
        run_distill(_config(tmp_path, stages=["trivia"]), RunPaths("t", "m"), [FakeTeacher()], show_progress=False)


def test_api_teacher_through_its_real_client_and_a_loopback_server(tmp_path: Path) -> None:
    from distill.loopback import Loopback, Reply, Seen, chat_ok
    from slm_recipes.distill.registry import build_teachers

    def answer(seen: Seen) -> Reply:
        system, user = seen.texts
        assert "照抄" in system
        stage = "numeric" if "数字类问题" in user else "general"
        n = re.search(r"报销上限为(\d)000元", user).group(1)
        pair = {"question": f"{stage}: 第{n}条的报销上限是多少？", "answer": f"报销上限为{n}000元。"}
        return chat_ok(json.dumps({"pairs": [pair]}, ensure_ascii=False), model="qwen-test")

    with Loopback(default=answer) as server:
        config = _config(tmp_path, teachers=["openai_compatible", "extractive"], model="qwen-test",
                         base_url=server.url + "/v1", concurrency=4)
        report = run_distill(config, _paths(config), build_teachers(config, load_lexicon()), show_progress=False)
    assert len(server.seen) == 2 * CHUNKS and not report.failures
    records = _records(config)
    assert {(r["teacher"], r["teacher_model"]) for r in records} == {("openai_compatible", "qwen-test")}
    assert [r["stage"] for r in records] == ["numeric"] * CHUNKS + ["general"] * CHUNKS
    assert all(r["numbers"] == [r["answer"][5:10]] for r in records)


class CrashingTeacher(FakeTeacher):
    """A teacher with a bug: an exception that is not TeacherFailed."""

    def generate(self, request: TeacherRequest) -> TeacherReply:
        if request.chunk["id"] == "c2":
            raise RecursionError("maximum recursion depth exceeded")
        return super().generate(request)


def test_a_teacher_that_crashes_fails_its_chunk_not_the_run(tmp_path: Path) -> None:
    config = _config(tmp_path, stages=["numeric"])
    report = run_distill(config, _paths(config), [CrashingTeacher()], show_progress=False)
    assert [f["chunk_id"] for f in report.failures] == ["c2"]
    assert "unexpected error: RecursionError" in report.failures[0]["errors"][0]["error"]
    assert report.failure_summary().startswith("distill: 1 of 6 chunk stage(s) failed: unexpected error: RecursionError")
    assert len(_records(config)) == 2 * (CHUNKS - 1)


def test_every_key_rejected_stops_the_stage_at_once_and_resumes_after_the_fix(tmp_path: Path, monkeypatch) -> None:
    from distill.loopback import KEY_A, KEY_B, OPENAI, Loopback, pairs_json
    from slm_recipes.distill.pipeline import NoTeacherLeft
    from slm_recipes.distill.registry import build_teachers

    monkeypatch.setenv("OPENAI_API_KEYS", f"{KEY_A},{KEY_B}")
    with Loopback(default=OPENAI.bad_key) as server:
        config = _config(tmp_path, teachers=["openai_compatible"], base_url=server.url + "/v1", model="m", concurrency=2,
                         stages=["numeric"])
        with pytest.raises(NoTeacherLeft, match=r"^no usable key for openai_compatible: 2 rejected \(401\)$"):
            run_distill(config, _paths(config), build_teachers(config, load_lexicon()), show_progress=False)
        assert len(server.seen) <= 2 + config.concurrency  # not one request per chunk
    assert not Path(config.output).exists()
    with Loopback(default=OPENAI.ok(pairs_json(1))) as server:
        config = replace(config, base_url=server.url + "/v1")
        report = run_distill(config, _paths(config), build_teachers(config, load_lexicon()), show_progress=False)
    assert report.records == CHUNKS and not report.failures


def test_a_second_run_on_the_same_output_is_refused_naming_the_first(tmp_path: Path) -> None:
    from slm_recipes.core.run_lock import output_lock

    config = _config(tmp_path)
    Path(config.output).parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time; from slm_recipes.core.run_lock import output_lock\n"
         f"with output_lock({config.output!r}):\n    print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RecipeError, match=rf"distilled\.jsonl is being written by pid {holder.pid}"):
            run_distill(config, _paths(config), [FakeTeacher()], show_progress=False)
    finally:
        holder.kill()
        holder.wait()
    with output_lock(config.output):  # free again once its holder is gone
        pass


def test_an_llm_teacher_s_malformed_questions_and_unfocused_answers_are_rejected_for_their_reason(tmp_path: Path) -> None:
    """The stand-in teacher (the real openai client against the loopback server) replies with one good pair, one
    malformed question and one answer copying every number of its sentence; curate names both reasons."""
    from distill.loopback import KEY_A, OPENAI, Loopback
    from slm_recipes.curate.config import CurateConfig
    from slm_recipes.curate.pipeline import run_curate

    chunks = tmp_path / "chunks.jsonl"
    chunks.write_text(json.dumps({"id": "c1", "doc": "rules.txt", "pages": [1, 1], "span": [0, 40],
                                  "text": "第八条 出差补助每人每天100元，住宿费每晚不超过500元，报销应在出差结束后15个工作日内提交。"},
                                 ensure_ascii=False) + "\n", encoding="utf-8")
    reply = json.dumps({"pairs": [
        {"question": "出差补助每天多少钱？", "answer": "出差补助每人每天100元。"},
        {"question": "住宿费每晚不超过，？", "answer": "住宿费每晚不超过500元。"},
        {"question": "报销要在多久内交？", "answer": "出差补助每人每天100元，住宿费每晚不超过500元，报销应在出差结束后15个工作日内提交。"}]},
        ensure_ascii=False)
    config = _config(tmp_path, chunks, stages=["numeric"])
    paths = _paths(config, chunks)
    with Loopback(OPENAI.ok(reply)) as server:
        run_distill(config, paths, [OPENAI.teacher(server, [KEY_A])], show_progress=False)
    dataset = replace(paths, dataset_folder=tmp_path / "dataset")
    report = run_curate(CurateConfig(split_ratios=[1.0, 0.0, 0.0]), dataset, load_lexicon())
    rejected = {r["question"]: r for r in map(json.loads, dataset.split("rejected").read_text(encoding="utf-8").splitlines())}
    assert rejected["住宿费每晚不超过，？"]["reasons"] == ["malformed"]
    assert rejected["报销要在多久内交？"]["reasons"] == ["unfocused"]
    assert "100元, 500元" in rejected["报销要在多久内交？"]["checks"]["unfocused"]["detail"]
    assert report.kept == 1 and report.reasons == {"malformed": 1, "unfocused": 1}
