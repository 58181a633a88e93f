"""An upload is a plain file name of an accepted type, saved inside the documents folder and nowhere else."""

from __future__ import annotations

import pytest

from slm_recipes.core.errors import RecipeError
from slm_recipes.ui.config import UIConfig
from slm_recipes.ui.uploads import safe_name, save_upload

TYPES = [".pdf", ".txt", ".md"]


@pytest.mark.parametrize("name", ["../x.pdf", "a/b.pdf", "..\\x.pdf", "/etc/x.txt", "C:x.txt", ".hidden.txt", "..",
                                  "x\x00.txt", "a..b.pdf", ""])
def test_names_with_folders_dots_or_control_characters_are_refused(name):
    with pytest.raises(RecipeError, match="refused: give a plain file name"):
        safe_name(name, TYPES)


def test_only_the_recipes_types_and_sizes_are_taken(tmp_path):
    assert safe_name("报销细则 2024.PDF", TYPES) == "报销细则 2024.PDF"
    with pytest.raises(RecipeError, match=r"only \.pdf, \.txt, \.md files are read"):
        safe_name("rules.docx", TYPES)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(RecipeError, match=r"over ui.max_upload_mb \(0.001 MB\)"):
        save_upload(big, "big.txt", tmp_path / "docs", UIConfig(max_upload_mb=0.001))


def test_a_symlink_in_the_folder_is_not_followed_out_of_it(tmp_path):
    outside, docs = tmp_path / "outside.txt", tmp_path / "docs"
    outside.write_text("keep me", encoding="utf-8")
    docs.mkdir()
    (docs / "rules.txt").symlink_to(outside)
    upload = tmp_path / "upload.txt"
    upload.write_text("第一条 新内容。", encoding="utf-8")
    with pytest.raises(RecipeError, match="leads outside"):
        save_upload(upload, "rules.txt", docs, UIConfig())
    assert outside.read_text(encoding="utf-8") == "keep me"
    saved = save_upload(upload, "new.txt", docs, UIConfig())
    assert saved == docs / "new.txt" and saved.read_text(encoding="utf-8") == "第一条 新内容。"
    assert sorted(p.name for p in docs.iterdir()) == ["new.txt", "rules.txt"]  # no staging file left
