"""PDF fixtures made with PyMuPDF in tmp_path: real files, nothing shipped or downloaded."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

ARTICLES = [
    "第{n}条 公司第{n}年度的注册资本为１２０万元，合计1，000万股，本条",
    "适用于全体员工及其家属。",
    "The board reviewed {n} infor-",
    "mation systems this year.",
]


def make_report_pdf(path: Path, pages: int = 3) -> Path:
    """Chinese and English body per page, a running header, a page-number footer, a table on page 1."""
    doc = pymupdf.open()
    for i in range(1, pages + 1):
        page = doc.new_page()
        page.insert_text((72, 40), "ACME 集团 年度报告", fontname="china-s", fontsize=9)
        page.insert_text((290, 820), f"- {i} -", fontsize=9)
        y = 100.0
        for line in ARTICLES:
            page.insert_text((72, y), line.format(n=i), fontname="china-s", fontsize=11)
            y += 16
        if i == 1:
            y += 20
            for row in [("项目", "金额", "比例"), ("收入", "1,200", "35%"), ("成本", "800", "20%")]:
                for j, cell in enumerate(row):
                    page.insert_text((72 + j * 150, y), cell, fontname="china-s", fontsize=11)
                y += 18
    doc.save(path)
    return path


def make_two_column_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 100, 290, 400), "Left column sentence one. " * 6, fontsize=11)
    page.insert_textbox(pymupdf.Rect(310, 100, 530, 400), "Right column sentence two. " * 6, fontsize=11)
    doc.save(path)
    return path


def make_image_only_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pixmap.clear_with(200)
    page.insert_image(pymupdf.Rect(72, 72, 300, 300), pixmap=pixmap)
    doc.save(path)
    return path


def make_encrypted_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret text")
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="user", owner_pw="owner")
    return path


def make_truncated_pdf(path: Path) -> Path:
    make_report_pdf(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


class PdfFactory:
    """Builds the fixture PDFs in one test's tmp_path by name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def report(self, name: str = "report.pdf", pages: int = 3) -> Path:
        return make_report_pdf(self.folder / name, pages)

    def two_column(self, name: str = "columns.pdf") -> Path:
        return make_two_column_pdf(self.folder / name)

    def image_only(self, name: str = "scan.pdf") -> Path:
        return make_image_only_pdf(self.folder / name)

    def encrypted(self, name: str = "locked.pdf") -> Path:
        return make_encrypted_pdf(self.folder / name)

    def truncated(self, name: str = "cut.pdf") -> Path:
        return make_truncated_pdf(self.folder / name)


@pytest.fixture
def pdfs(tmp_path: Path) -> PdfFactory:
    return PdfFactory(tmp_path)


@pytest.fixture
def report_pdf(pdfs: PdfFactory) -> Path:
    return pdfs.report()
