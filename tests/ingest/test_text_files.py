from pathlib import Path

import pytest

from slm_recipes.errors import RecipeError
from slm_recipes.ingest.text_files import detect_encoding, read_text_file

SIMPLIFIED = "第一条 本公司注册资本为人民币１２０万元，员工应遵守本规定。\n第二条 年度预算为3，500万元。\n"
TRADITIONAL = "第一條 本公司註冊資本為新台幣120萬元，員工應遵守本規定。\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
     ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")],
)
def test_detects_simplified_chinese_encodings(encoding: str, expected: str) -> None:
    assert detect_encoding(SIMPLIFIED.encode(encoding)) == expected


def test_detects_big5() -> None:
    assert detect_encoding(TRADITIONAL.encode("big5")) == "big5"


def test_ascii_utf16_without_bom() -> None:
    assert detect_encoding("plain english text\n".encode("utf-16-le")) == "utf-16-le"


def test_gbk_file_is_read_cleaned_and_named(tmp_path: Path) -> None:
    path = tmp_path / "rules.txt"
    path.write_bytes(SIMPLIFIED.encode("gbk"))
    doc, encoding = read_text_file(path)
    assert encoding == "gb18030"
    assert doc.text == "第一条 本公司注册资本为人民币120万元，员工应遵守本规定。\n第二条 年度预算为3,500万元。"
    assert doc.pages_of(0, len(doc.text)) == (1, 1)


def test_utf16_markdown_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes("# Title\n\nThe first line\ncontinues here.\n\n- item one\n- item two\n".encode("utf-16"))
    doc, encoding = read_text_file(path)
    assert encoding == "utf-16"
    assert doc.text == "# Title\nThe first line continues here.\n- item one\n- item two"


def test_undecodable_bytes_are_a_recipe_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes([0x81, 0x20, 0xFF, 0xFE, 0x81]))
    with pytest.raises(RecipeError, match="binary.txt: unknown text encoding"):
        read_text_file(path)
