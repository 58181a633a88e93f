"""Long work the page starts: each an `slm` command in its own detached process, one per kind at a time.

The state and output of each kind live in the run's ui folder (`RunPaths.job`: logs/<name>/ui/),
so a page opened later, in another tab or after `slm ui` restarted, finds the work running or
finished and shows the same output. Progress is read from the command's own progress lines
(`distill numeric: 12/52 chunks (23%), ...`), written every second for these runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from slm_recipes.core.errors import ERROR_PREFIX, RecipeError
from slm_recipes.core.progress import PROGRESS_LINE
from slm_recipes.core.run_paths import RunPaths

TAIL_BYTES = 64 * 1024
STOP_GRACE_S = 10  # after this, a second Stop terminates what an interrupt did not end


@dataclass(frozen=True)
class JobState:
    kind: str
    command: list[str]
    started: float
    pid: int
    returncode: int | None
    alive: bool
    output: str  # the end of the log so far (its last TAIL_BYTES)

    @property
    def running(self) -> bool:
        return self.returncode is None and self.alive

    @property
    def progress(self) -> str:
        """The last progress line of the output, or ''."""
        found = list(PROGRESS_LINE.finditer(self.output))
        return found[-1].group(0) if found else ""

    @property
    def summary(self) -> str:
        started = time.strftime("%H:%M:%S", time.localtime(self.started))
        if self.running:
            return f"{self.kind}: running since {started} (pid {self.pid})"
        if self.returncode is None:
            return f"{self.kind}: ended without an exit status (killed?) after starting at {started}"
        verdict = "finished" if self.returncode == 0 else f"failed (exit status {self.returncode})"
        return f"{self.kind}: {verdict}; started {started}"

    def last_error(self) -> str:
        """The command's one-line `error: …`, if it printed one."""
        errors = [line for line in self.output.splitlines() if line.startswith(ERROR_PREFIX)]
        return errors[-1] if errors else ""


class Jobs:
    """Start, watch and stop the page's `slm` commands; `arguments` are the recipe's (its --config files, overrides)."""

    def __init__(self, paths: RunPaths, arguments: list[str]) -> None:
        self.paths, self.arguments = paths, list(arguments)

    def start(self, kind: str, command: list[str], extra: list[str] | None = None) -> JobState:
        """Run `slm COMMAND` with the recipe's arguments (then `extra`); refused while the same kind runs."""
        current = self.state(kind)
        if current is not None and current.running:
            raise RecipeError(f"{kind} is already running (pid {current.pid}); stop it first or wait for it")
        files = self.paths.job(kind)
        state, log = files.state, files.log
        state.parent.mkdir(parents=True, exist_ok=True)
        state.unlink(missing_ok=True)
        full = [sys.executable, "-m", "slm_recipes.cli", *command, *self.arguments, *(extra or [])]
        wrapper = subprocess.Popen([sys.executable, "-m", "slm_recipes.ui.detached", str(state), str(log), "--", *full],
                                   start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        until = time.monotonic() + 30  # the wrapper writes the state once its command has started
        while (started := self.state(kind)) is None or started.pid != wrapper.pid:
            if wrapper.poll() is not None or time.monotonic() > until:
                raise RecipeError(f"{kind} did not start: python -m slm_recipes.ui.detached exited {wrapper.poll()}")
            time.sleep(0.02)
        return started

    def state(self, kind: str) -> JobState | None:
        files = self.paths.job(kind)
        state_path, log = files.state, files.log
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        output = _tail(log) if log.is_file() else ""
        return JobState(kind, state["command"], state["started"], state["pid"], state.get("returncode"),
                        _alive(state["pid"]), output)

    def stop(self, kind: str) -> str:
        """Interrupt the command (as Ctrl-C would: a fit saves what it can); pressed again after STOP_GRACE_S,
        terminate it. What happened, in one line."""
        current = self.state(kind)
        if current is None or not current.running:
            return f"{kind} is not running"
        asked = self.paths.job(kind).stop
        again = asked.is_file() and asked.stat().st_mtime >= current.started \
            and time.time() - asked.stat().st_mtime > STOP_GRACE_S
        try:
            os.killpg(current.pid, signal.SIGTERM if again else signal.SIGINT)
        except ProcessLookupError:
            return f"{kind} had already ended"
        if not again:
            asked.write_text(str(time.time()), encoding="utf-8")
        return (f"{kind}: terminated (pid {current.pid})" if again else
                f"{kind}: stop sent (pid {current.pid}); press Stop again after {STOP_GRACE_S} s to terminate it")


def _tail(log: Path) -> str:
    """The log's last TAIL_BYTES: the page reads it every second, and a long fit's log grows to megabytes; the
    progress line and a final error are at its end."""
    with log.open("rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - TAIL_BYTES))
        text = handle.read().decode("utf-8", errors="replace")
    return text if size <= TAIL_BYTES else text.partition("\n")[2]  # from the first whole line


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a finished child of this very process stays a zombie until reaped
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True
