"""Progress off a terminal: plain lines at the interval, a last line at the end, nothing when disabled."""

from __future__ import annotations

import io

from slm_recipes.core.progress import Progress, eta


def test_off_a_terminal_lines_come_at_the_interval_and_at_the_end(monkeypatch):
    monkeypatch.setenv("SLM_PROGRESS_INTERVAL", "0")
    stream = io.StringIO()
    with Progress("distill numeric", total=4, unit="chunks", stream=stream) as bar:
        bar.advance(1, pairs=3, failed=0)
        bar.advance(3, pairs=12, failed=1)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("distill numeric: 1/4 chunks (25%), 3 pairs, 0 failed; 0:00:00 elapsed, ETA ")
    assert lines[-1].startswith("distill numeric: 4/4 chunks (100%), 12 pairs, 1 failed;")
    assert len(lines) == 2  # the end adds no line repeating the last one


def test_a_long_interval_prints_only_the_last_line_and_disabled_prints_nothing(monkeypatch):
    monkeypatch.setenv("SLM_PROGRESS_INTERVAL", "3600")
    stream = io.StringIO()
    with Progress("export", total=10, unit="tensors", stream=stream) as bar:
        for _ in range(10):
            bar.advance()
    assert stream.getvalue().count("\n") == 1 and "10/10 tensors" in stream.getvalue()
    quiet = io.StringIO()
    with Progress("export", total=10, stream=quiet, enabled=False) as bar:
        bar.advance(10)
    assert quiet.getvalue() == ""


def test_eta_is_the_time_left_at_the_rate_so_far():
    assert eta(1, 4, 30.0) == "0:01:30" and eta(0, 4, 5.0) == "?"
