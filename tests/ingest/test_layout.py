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
        [Line(72, 100, 500, 112, body)],
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
