"""Progress of long work that a person can follow both on a terminal and in a log file.

On a terminal it is a live bar (rich, on stderr). Off a terminal (nohup, CI, `> run.log`) a live bar
prints nothing until the end, so instead a plain line is written at a steady interval (and once
at the end): `distill numeric: 12/52 chunks (23%), 240 pairs, 0 failed; 0:00:41 elapsed, ETA 0:02:17`.
The interval is `SLM_PROGRESS_INTERVAL` seconds (default 30).
"""

from __future__ import annotations

import os
import re
import sys
import time
from types import TracebackType
from typing import IO, Any

DEFAULT_INTERVAL_S = 30.0


#: A progress line as `Progress` and the training's log lines write it (the page reads a job's progress by it).
PROGRESS_LINE = re.compile(r"^(?P<what>[^:\n]{1,60}): (?P<done>\d+)/(?P<total>\d+) \S+.*ETA .*$", re.MULTILINE)


def interval_s() -> float:
    """Seconds between plain progress lines (`SLM_PROGRESS_INTERVAL`, default 30)."""
    try:
        return max(0.0, float(os.environ.get("SLM_PROGRESS_INTERVAL", DEFAULT_INTERVAL_S)))
    except ValueError:
        return DEFAULT_INTERVAL_S


def on_terminal(stream: IO[str] | None = None) -> bool:
    stream = stream if stream is not None else sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()


def clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def eta(done: float, total: float, elapsed: float) -> str:
    """Time left at the rate so far; "?" before any progress."""
    if done <= 0 or total <= 0:
        return "?"
    return clock(elapsed * (total - done) / done)


class Progress:
    """Items done out of a total, with extra fields (`pairs=240`): a bar on a terminal, plain lines elsewhere.

    `enabled=False` shows nothing (tests, nested work). The plain form writes to `stream` (stderr by default).
    """

    def __init__(self, description: str, total: int, unit: str = "items", enabled: bool = True,
                 stream: IO[str] | None = None, live: bool | None = None) -> None:
        self.description = description
        self.total = total
        self.unit = unit
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.live = on_terminal(self.stream) if live is None else live
        self.done = 0
        self.fields: dict[str, Any] = {}
        self._bar: Any = None
        self._task: Any = None
        self._started = time.monotonic()
        self._last_line = self._started
        self._last_done: int | None = None

    def __enter__(self) -> Progress:
        self._started = self._last_line = time.monotonic()
        if self.enabled and self.live:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            TextColumn("{task.fields[extra]}"), transient=True, console=Console(file=self.stream))
            self._bar.__enter__()
            self._task = self._bar.add_task(self.description, total=self.total, completed=self.done, extra="")
        return self

    def advance(self, count: int = 1, **fields: Any) -> None:
        """`count` more items done; `fields` replace the extra figures shown beside the count."""
        self.done += count
        self.fields.update(fields)
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, extra=self._extra())
        elif time.monotonic() - self._last_line >= interval_s():
            self._line()

    def _extra(self) -> str:
        return ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in self.fields.items())

    def _line(self) -> None:
        now = time.monotonic()
        self._last_line, self._last_done = now, self.done
        elapsed = now - self._started
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        extra = self._extra()
        print(f"{self.description}: {self.done}/{self.total} {self.unit}{share}{', ' + extra if extra else ''}; "
              f"{clock(elapsed)} elapsed, ETA {eta(self.done, self.total, elapsed)}", file=self.stream, flush=True)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
            self._bar = None
        elif self.enabled and exc_type is None and self.total and self._last_done != self.done:
            self._line()
