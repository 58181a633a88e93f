"""The page's jobs are real `slm` processes: detached, one per kind, found again by a page opened later."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.ui.jobs import Jobs

WORK = "import time; print('working: 1/9 steps (11%); 0:00:01 elapsed, ETA 0:00:08', flush=True); time.sleep(60)"


def wait_until_done(jobs: Jobs, kind: str):
    until = time.monotonic() + 60  # a hang guard, not a speed check
    while (state := jobs.state(kind)).running:
        assert time.monotonic() < until, state.output
        time.sleep(0.05)
    return state


def test_a_finished_command_is_found_with_its_output_and_error_by_a_new_page(tmp_path):
    jobs = Jobs(RunPaths("t", "m", root=tmp_path), ["--config", "no-such-recipe.yaml"])
    assert jobs.state("ingest") is None
    jobs.start("ingest", ["ingest"])
    later = Jobs(RunPaths("t", "m", root=tmp_path), [])  # another page, or slm ui restarted
    state = wait_until_done(later, "ingest")
    assert state.returncode == 2 and "failed (exit status 2)" in state.summary
    assert state.last_error().startswith("error: ") and "no-such-recipe.yaml" in state.last_error()
    assert state.command[1:4] == ["-m", "slm_recipes.cli", "ingest"]


def test_one_run_per_kind_and_a_stop_interrupts_it(tmp_path):
    jobs = Jobs(RunPaths("t", "m", root=tmp_path), [])
    (tmp_path / "logs/t/ui").mkdir(parents=True)
    state_file = tmp_path / "logs/t/ui/fit.json"
    # the detached runner over a command that works until stopped, as a fit would
    sleeper = subprocess.Popen([sys.executable, "-m", "slm_recipes.ui.detached", str(state_file),
                                str(tmp_path / "logs/t/ui/fit.log"), "--", sys.executable, "-c", WORK], start_new_session=True)
    until = time.monotonic() + 30
    while (seen := jobs.state("fit")) is None or seen.pid != sleeper.pid or "working" not in seen.output:
        assert time.monotonic() < until
        time.sleep(0.05)
    assert jobs.state("fit").running and jobs.state("fit").progress.startswith("working: 1/9 steps")
    with pytest.raises(RecipeError, match=r"fit is already running \(pid \d+\); stop it first"):
        jobs.start("fit", ["fit"])
    assert jobs.stop("fit").startswith("fit: stop sent")
    state = wait_until_done(jobs, "fit")
    sleeper.wait(timeout=30)
    assert state.returncode not in (None, 0) and jobs.stop("fit") == "fit is not running"


def test_a_command_that_ignores_the_interrupt_is_terminated_by_a_second_stop(tmp_path, monkeypatch):
    import slm_recipes.ui.jobs as jobs_module

    monkeypatch.setattr(jobs_module, "STOP_GRACE_S", 0)
    jobs = Jobs(RunPaths("t", "m", root=tmp_path), [])
    (tmp_path / "logs/t/ui").mkdir(parents=True)
    stubborn = ("import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                "print('working: 1/9 steps (11%); 0:00:01 elapsed, ETA 0:00:08', flush=True); time.sleep(60)")
    runner = subprocess.Popen([sys.executable, "-m", "slm_recipes.ui.detached", str(tmp_path / "logs/t/ui/fit.json"),
                               str(tmp_path / "logs/t/ui/fit.log"), "--", sys.executable, "-c", stubborn],
                              start_new_session=True)
    until = time.monotonic() + 30
    while (seen := jobs.state("fit")) is None or seen.pid != runner.pid or "working" not in seen.output:
        assert time.monotonic() < until
        time.sleep(0.05)
    assert "press Stop again" in jobs.stop("fit")
    time.sleep(0.05)
    assert jobs.state("fit").running and jobs.stop("fit").startswith("fit: terminated")
    state = wait_until_done(jobs, "fit")
    runner.wait(timeout=30)
    assert state.returncode == -15


def test_a_long_log_is_read_from_its_last_whole_lines(tmp_path):
    import json

    from slm_recipes.ui.jobs import TAIL_BYTES

    (tmp_path / "logs/t/ui").mkdir(parents=True)
    (tmp_path / "logs/t/ui/fit.json").write_text(json.dumps({"pid": 2**22 + 1, "command": ["slm"], "started": 0,
                                                      "returncode": 1}), encoding="utf-8")
    lines = [f"步骤 {n}: 训练中" for n in range(TAIL_BYTES // 8)]
    (tmp_path / "logs/t/ui/fit.log").write_text("\n".join([*lines, "error: out of memory"]) + "\n", encoding="utf-8")
    state = Jobs(RunPaths("t", "m", root=tmp_path), []).state("fit")
    assert len(state.output.encode()) <= TAIL_BYTES and state.output.splitlines()[0] in lines
    assert state.last_error() == "error: out of memory" and not state.running
