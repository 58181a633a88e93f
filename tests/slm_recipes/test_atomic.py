from __future__ import annotations

import pytest

from slm_recipes.atomic import write_dir_atomically, write_text_atomically


def write_file(text: str):
    def write(staging):
        staging.mkdir()
        (staging / "weights.bin").write_text(text)
    return write


def test_new_folder_replaces_old_one_whole(tmp_path):
    target = tmp_path / "adapter"
    write_dir_atomically(target, write_file("v1"))
    write_dir_atomically(target, write_file("v2"))
    assert (target / "weights.bin").read_text() == "v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapter"]


def test_failed_write_leaves_the_old_folder_untouched(tmp_path):
    target = tmp_path / "adapter"
    write_dir_atomically(target, write_file("v1"))

    def broken(staging):
        write_file("half")(staging)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_dir_atomically(target, broken)
    assert (target / "weights.bin").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapter"]


def test_text_file_is_replaced_whole_and_readable_by_others(tmp_path):
    target = tmp_path / "out" / "report.md"
    write_text_atomically(target, "v1\n")
    write_text_atomically(target, "v2\n")
    assert target.read_text() == "v2\n" and oct(target.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.md"]
