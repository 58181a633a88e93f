"""One run at a time per output: a second `slm` run on the same files would pay the teacher twice and race on them.

The lock is an advisory `flock` on `<output>.lock` holding the owner's pid and command line, so the
refusal says who holds it; the operating system drops it when that process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import lock_file


@contextmanager
def output_lock(output: str | Path) -> Iterator[None]:
    """Hold the lock of `output` for the block; another process holding it is an error naming it."""
    path = lock_file(Path(output))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the whole block
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            raise RecipeError(f"{output} is being written by {owner}; wait for it to finish or stop it, "
                              "then run again") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} ({' '.join(sys.argv[:3])[:120]})")
        handle.flush()
        yield
    finally:
        handle.close()
