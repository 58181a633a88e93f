"""Write output folders so that a reader never sees a half-written one."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path


def write_dir_atomically(directory: str | Path, write: Callable[[Path], None]) -> Path:
    """Run `write` into a staging folder beside `directory`, then swap it in; on failure the old folder stays."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = directory.with_name(f".{directory.name}.staging")
    retired = directory.with_name(f".{directory.name}.old")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        write(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if directory.exists():
        os.replace(directory, retired)
    os.replace(staging, directory)
    shutil.rmtree(retired, ignore_errors=True)
    return directory
