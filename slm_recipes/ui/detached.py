"""Run one `slm` command for the web app, detached from it: `python -m slm_recipes.ui.detached STATE LOG -- CMD...`.

This process leads its own session, so closing the page, or stopping `slm ui`, leaves the work running.
It writes the command's output to LOG and its state to STATE (pid, command, start, then the exit
status), each state write atomic, so a page opened later reads how the work stands.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from slm_recipes.core.atomic import AtomicTextFile


def write_state(path: Path, state: dict) -> None:
    with AtomicTextFile(path, encoding="utf-8") as handle:
        handle.write(json.dumps(state, ensure_ascii=False))


def main(argv: list[str]) -> int:
    state_path, log_path, separator, *command = argv
    if separator != "--" or not command:
        raise SystemExit("usage: python -m slm_recipes.ui.detached STATE LOG -- COMMAND...")
    env = {**os.environ, "SLM_PROGRESS_INTERVAL": "1", "PYTHONUNBUFFERED": "1"}
    state = {"pid": os.getpid(), "command": command, "started": time.time(), "returncode": None}
    # a handler (not "ignore") becomes the default in the child: started from `slm ui &` or nohup, this process
    # inherits SIGINT ignored, and the command would then ignore the page's Stop
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with open(log_path, "w", encoding="utf-8") as log:
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a stop reaches the child; this process stays to record it
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        state["child"] = child.pid
        write_state(Path(state_path), state)
        state["returncode"] = child.wait()
    state["ended"] = time.time()
    write_state(Path(state_path), state)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
