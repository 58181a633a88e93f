import re
from pathlib import Path

from slm_recipes.ingest.layout import Line, merge_table_rows, remove_running_lines
from slm_recipes.ingest.pdf_text import _pdfminer_pages, extract_pdf


def _row(y: float, *cells: str) -> list[Line]:
    return [Line(72 + 150 * i, y, 100 + 150 * i, y + 12, cell) for i, cell in enumerate(cells)]


def test_cells_in_one_block_become_one_row() -> None:
    block = _row(100, "项目", "金额") + _row(120, "收入", "1,200")
    assert [line.text for line in merge_table_rows([block])[0]] == ["项目 | 金额", "收入 | 1,200"]


def test_single_line_blocks_on_one_baseline_become_one_row() -> None:
    cells = _row(100, "项目", "金额") + _row(120, "收入", "1,200")
    column_major = [[cells[0]], [cells[2]], [cells[1]], [cells[3]]]
    rows = merge_table_rows(column_major)
    assert [block[0].text for block in rows] == ["项目 | 金额", "收入 | 1,200"]


def test_columns_of_running_text_are_not_merged() -> None:
    left = [Line(72, 100 + 14 * i, 280, 112 + 14 * i, f"left {i}") for i in range(3)]
    right = [Line(310, 100 + 14 * i, 520, 112 + 14 * i, f"right {i}") for i in range(3)]
    assert merge_table_rows([left, right]) == [left, right]


def test_table_rows_from_both_extractors(report_pdf: Path) -> None:
    for pages in (extract_pdf(report_pdf).pages, _pdfminer_pages(report_pdf)[0]):
        texts = [line.text for block in merge_table_rows(pages[0]) for line in block]
        assert "收入 | 1,200 | 35%" in texts


def _page(n: int, body: str) -> list[list[Line]]:
    return [
        [Line(72, 30, 200, 40, "ACME 年度报告")],
        [Line(72, 200, 500, 212, body)],
        [Line(290, 810, 306, 822, f"第 {n} 页")],
    ]


def test_running_header_and_page_numbers_go_body_stays() -> None:
    bodies = ["总则。", "员工守则。", "薪酬制度。", "附则。"]
    pages = [_page(n, body) for n, body in enumerate(bodies, start=1)]
    cleaned, removed = remove_running_lines(pages, [842.0] * 4)
    assert removed == 8
    assert [[line.text for block in page for line in block] for page in cleaned] == [
        [body] for body in bodies
    ]


def test_repeated_body_lines_outside_the_margins_stay() -> None:
    pages = [_page(n, "每页相同的正文。") for n in range(1, 5)]
    cleaned, _ = remove_running_lines(pages, [842.0] * 4)
    assert all([line.text for block in page for line in block] == ["每页相同的正文。"] for page in cleaned)


def test_short_documents_keep_repeated_lines_but_lose_page_numbers() -> None:
    cleaned, _ = remove_running_lines([_page(1, "正文。"), _page(2, "更多正文。")], [842.0, 842.0])
    assert [line.text for block in cleaned[0] for line in block] == ["ACME 年度报告", "正文。"]


def test_running_lines_a_letter_page_sets_an_inch_in_go_with_their_page_numbers() -> None:
    from slm_recipes.ingest.loading import load_document

    text = load_document(Path(__file__).parent / "samples" / "dmca.pdf").text.text  # 18 pages
    assert "Copyright Office Summary" not in text.replace("U.S. Copyright Office Summary", "")  # footer with Page N
    assert "The Digital Millennium Copyright Act of 1998\n" not in text  # header of pages 2-18
    assert "TITLE I: WIPO TREATY IMPLEMENTATION" in text and "October 28, 2000" in text


def test_only_the_page_number_of_a_running_line_is_masked() -> None:
    pages = [[[Line(72, 20, 400, 32, f"Annual Report 2024 | Page {n} of 4")], [Line(72, 100, 500, 112, f"第{n}条 注册资本为120万元。")]]
             for n in range(1, 5)]
    cleaned, removed = remove_running_lines(pages, [842.0] * 4)
    assert removed == 4
    assert [line.text for page in cleaned for block in page for line in block] == [f"第{n}条 注册资本为120万元。" for n in range(1, 5)]


def test_a_lone_row_and_list_items_are_text_not_table_rows() -> None:
    header = _row(40, "Copyright Office Summary", "December 1998")  # one line split at a wide gap
    bullets = [Line(72, 100, 80, 112, "•"), Line(90, 100, 400, 112, "Title I implements the treaties.")] + \
              [Line(72, 114, 84, 126, "2."), Line(90, 114, 400, 126, "Title II limits liability.")]
    texts = [line.text for block in merge_table_rows([header, bullets]) for line in block]
    assert texts == ["Copyright Office Summary December 1998", "• Title I implements the treaties.", "2. Title II limits liability."]


def test_lines_running_down_the_page_are_not_cells() -> None:
    columns = [[Line(400 - 20 * i, 100, 412 - 20 * i, 400, f"第{i}列竖排文字")] for i in range(3)]
    assert merge_table_rows(columns) == columns


def test_three_columns_of_running_text_are_read_column_by_column(tmp_path: Path) -> None:
    import pymupdf

    from slm_recipes.ingest.loading import load_document

    doc = pymupdf.open()
    page = doc.new_page()
    for column, x in enumerate((40, 225, 410)):
        for i in range(12):
            page.insert_text((x, 100 + 14 * i), f"column {column} line {i} of running text here", fontsize=10)
    page.insert_text((40, 80), "A title across the whole width of the page, above the three columns", fontsize=10)
    doc.save(tmp_path / "columns.pdf")
    raw = extract_pdf(tmp_path / "columns.pdf").pages[0]
    assert len({round(line.y0) for block in raw for line in block if line.text.startswith("column")}) == 12  # rows shared
    text = load_document(tmp_path / "columns.pdf").text.text
    assert " | " not in text
    order = [int(column) for column, _ in re.findall(r"column (\d) line (\d+)", text)]
    assert order == [0] * 12 + [1] * 12 + [2] * 12 and text.startswith("A title across")


def test_vertical_japanese_is_read_top_to_bottom() -> None:
    from slm_recipes.ingest.loading import load_document

    loaded = load_document(Path(__file__).parent / "samples" / "kampo.pdf")
    assert "道路交通法施行令の一部を改正する政令" in loaded.text.text and " | " not in loaded.text.text
    assert "vertically" in loaded.warnings[0]
