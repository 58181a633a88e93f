"""Documents uploaded through the page: a plain file name of an accepted type, saved inside the documents folder only.

A name with a folder in it, `..`, a leading dot or a control character is refused, not repaired: the
person uploading learns what the server would not do. The file is copied under a temporary name
and renamed, so a failed upload never leaves half a document for ingest to read.
"""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path

from slm_recipes.core.errors import RecipeError
from slm_recipes.ui.config import UIConfig


def safe_name(name: str, types: list[str]) -> str:
    """`name` itself when it is a plain file name ending in one of `types`; else a one-line refusal."""
    shown = repr(name)
    if not name or name in (".", "..") or "/" in name or "\\" in name or ".." in name or name.startswith(".") \
            or (len(name) > 1 and name[1] == ":") or any(unicodedata.category(c) == "Cc" for c in name):
        raise RecipeError(f"upload {shown} refused: give a plain file name, without folders, '..' or a leading dot")
    if len(name.encode("utf-8")) > 200:
        raise RecipeError(f"upload {shown} refused: the name is over 200 bytes; shorten it")
    if not name.lower().endswith(tuple(t.lower() for t in types)):
        raise RecipeError(f"upload {shown} refused: only {', '.join(types)} files are read (ui.upload_types)")
    return name


def save_upload(source: Path, name: str, folder: Path, settings: UIConfig) -> Path:
    """Copy the uploaded file `source` into `folder` as `name` (checked); the path it was saved at."""
    name = safe_name(name, settings.upload_types)
    size = source.stat().st_size
    if size > settings.max_upload_mb * 1024 * 1024:
        raise RecipeError(f"upload {name!r} refused: {size / 2**20:.1f} MB is over ui.max_upload_mb "
                          f"({settings.max_upload_mb:g} MB)")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.is_symlink() or target.resolve().parent != folder.resolve():
        raise RecipeError(f"upload {name!r} refused: {target} leads outside {folder}")
    staging = folder / f".{name}.upload"
    shutil.copyfile(source, staging)
    os.replace(staging, target)
    return target
