"""Ingest speed against bare PyMuPDF on one generated 200-page PDF, in the same run.

Run: .venv/bin/python benchmarks/ingest_speed.py [--pages 200] [--repeats 3]
Ingest includes extraction, cleaning, chunking and writing chunks.jsonl; tokens are counted with
`len` so the figure measures ingest itself, not a tokenizer. Target: ratio ≥ 0.7.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pymupdf

from slm_recipes.ingest import IngestConfig, run_ingest

SENTENCES = [
    "第{n}条 公司应当在每个会计年度结束后四个月内编制年度报告，注册资本为{m}万元，合计1，{k:03d}万股。",
    "The board shall meet at least {n} times a year and review the infor-mation systems of the group.",
    "员工第{n}年的年假为{m}天；加班按照第十六条的规定支付{k}元补贴。",
]


def make_pdf(path: Path, pages: int) -> None:
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page()
        page.insert_text((72, 40), "ACME 集团 员工手册", fontname="china-s", fontsize=9)
        body = "".join(s.format(n=i * 7 + j, m=(i * 13 + j) % 997, k=(i * 31 + j) % 1000)
                       for j in range(9) for s in SENTENCES[j % 3:j % 3 + 1])
        page.insert_textbox(pymupdf.Rect(72, 90, 520, 770), body, fontname="china-s", fontsize=10)
        page.insert_text((290, 820), f"- {i + 1} -", fontsize=9)
    doc.save(path)


def bare_pymupdf(path: Path) -> float:
    start = time.perf_counter()
    with pymupdf.open(path) as doc:
        for page in doc:
            page.get_text()
    return time.perf_counter() - start


def ingest(path: Path, output: Path) -> float:
    start = time.perf_counter()
    run_ingest(IngestConfig(sources=[str(path)], output=str(output)), len, show_progress=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3, help="best of N for each side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "bench.pdf"
        make_pdf(pdf, args.pages)
        bare = min(bare_pymupdf(pdf) for _ in range(args.repeats))
        ours = min(ingest(pdf, Path(tmp) / "chunks.jsonl") for _ in range(args.repeats))
    bare_rate, ours_rate = args.pages / bare, args.pages / ours
    print(f"bare PyMuPDF get_text(): {bare_rate:8.1f} pages/s")
    print(f"slm ingest:              {ours_rate:8.1f} pages/s")
    print(f"ratio: {ours_rate / bare_rate:.2f}x (target >= 0.7x)")


if __name__ == "__main__":
    main()
