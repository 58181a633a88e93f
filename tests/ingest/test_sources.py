from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.ingest.sources import resolve_sources


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x", encoding="utf-8")
    return path


def test_folder_walk_is_sorted_and_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    for name in ("b/2.pdf", "a.md", "b/1.txt", ".hidden/x.txt", "notes.docx", "c.PDF"):
        _touch(tmp_path / name)
    names = [p.relative_to(tmp_path).as_posix() for p in resolve_sources([str(tmp_path)])]
    assert names == ["a.md", "b/1.txt", "b/2.pdf", "c.PDF"]


def test_files_globs_and_duplicates(tmp_path: Path) -> None:
    a, b = _touch(tmp_path / "a.txt"), _touch(tmp_path / "b.txt")
    assert resolve_sources([str(b), str(tmp_path / "*.txt")]) == [b, a]


def test_missing_source_and_empty_glob_are_errors(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="no such file"):
        resolve_sources([str(tmp_path / "nope.pdf")])
    with pytest.raises(RecipeError, match="matches no"):
        resolve_sources([str(tmp_path / "*.pdf")])
    with pytest.raises(RecipeError, match="empty"):
        resolve_sources([])
