from __future__ import annotations

import pytest

from slm_recipes.core.atomic import (
    AtomicJsonlWriter,
    AtomicTextFile,
    staged_file,
    write_dir_atomically,
    write_jsonl_atomically,
    write_text_atomically,
)


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


def test_jsonl_writer_keeps_the_old_file_when_interrupted(tmp_path):
    target = tmp_path / "chunks.jsonl"
    write_jsonl_atomically(target, [{"id": "a", "text": "住宿费"}])
    with pytest.raises(RuntimeError), AtomicJsonlWriter(target) as writer:
        writer.write({"id": "b", "text": "half"})
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == '{"id": "a", "text": "住宿费"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chunks.jsonl"]


def test_staged_binary_file_appears_only_when_complete(tmp_path):
    target = tmp_path / "model.gguf"
    with staged_file(target) as staging:
        staging.write_bytes(b"GGUF")
        assert not target.exists()
    assert target.read_bytes() == b"GGUF"
    with pytest.raises(ValueError), staged_file(target) as staging:
        staging.write_bytes(b"GG")
        raise ValueError("writer failed")
    assert target.read_bytes() == b"GGUF" and sorted(p.name for p in tmp_path.iterdir()) == ["model.gguf"]


def test_a_text_file_can_carry_a_bom_for_spreadsheets(tmp_path):
    target = tmp_path / "sample.csv"
    with AtomicTextFile(target, encoding="utf-8-sig", newline="") as handle:
        handle.write("id,decision\r\n")
    assert target.read_bytes() == b"\xef\xbb\xbfid,decision\r\n"
