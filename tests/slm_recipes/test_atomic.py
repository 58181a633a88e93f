from __future__ import annotations

import pytest

from slm_recipes.atomic import write_dir_atomically


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
