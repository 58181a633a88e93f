from pathlib import Path

import pytest

from slm_recipes.core.errors import RecipeError
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


def test_shift_jis_is_read_as_japanese_not_as_gb18030_mojibake(tmp_path: Path) -> None:
    japanese = "第一条 出張旅費は、実費を支給する。\n宿泊料は一泊につき12,000円とする。\n"
    path = tmp_path / "規程.txt"
    path.write_bytes(japanese.encode("shift_jis"))
    doc, encoding = read_text_file(path)
    assert encoding == "cp932" and "宿泊料は一泊につき12,000円とする。" in doc.text


def test_a_decoding_that_reads_as_mojibake_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "unknown.txt"
    path.write_bytes(bytes([0x81, 0x40, 0x82, 0x41, 0x20]) * 40)  # decodes as GB18030, to rare characters only
    with pytest.raises(RecipeError, match=r"unknown.txt: cannot tell its text encoding .*save the file as UTF-8"):
        read_text_file(path)


@pytest.mark.parametrize(("head", "kind"), [(b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"), (b"%PDF-1.7\n", "a PDF"),
                                             (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office document")])
def test_a_binary_file_named_txt_is_one_clear_line(tmp_path: Path, head: bytes, kind: str) -> None:
    path = tmp_path / "rules.txt"
    path.write_bytes(head + bytes(range(256)) * 8)  # many NULs: once taken for UTF-16 and crashed the run
    with pytest.raises(RecipeError, match=rf"rules.txt: this is .*{kind}.*, not text; save it as PDF or UTF-8 text"):
        read_text_file(path)


def test_binary_data_without_a_signature_is_refused_not_decoded(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(RecipeError, match="blob.txt: "):
        read_text_file(path)
