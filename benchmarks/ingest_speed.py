"""Ingest speed against bare PyMuPDF on one generated 200-page PDF, in the same run.

Run: .venv/bin/python benchmarks/ingest_speed.py [--pages 200] [--repeats 3]
Ingest includes extraction, cleaning, chunking and writing chunks.jsonl; tokens are counted with
`len` so the figure measures ingest itself, not a tokenizer. Target: ratio ≥ 0.7.
The two sides run alternately (bare, ingest, bare, ...) and each keeps its best time, so a burst of
load from other jobs hits both alike. `--stages` adds where ingest's time goes, as multiples of bare.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

from slm_recipes.core.run_paths import RunPaths
from slm_recipes.ingest.chunking import chunk_spans
from slm_recipes.ingest.cleaning import join_lines
from slm_recipes.ingest.columns import split_columns
from slm_recipes.ingest.config import IngestConfig
from slm_recipes.ingest.layout import merge_table_rows, remove_running_lines, to_source_lines
from slm_recipes.ingest.pdf_text import extract_pdf
from slm_recipes.ingest.pipeline import run_ingest

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


def bare_pymupdf(path: Path) -> None:
    with pymupdf.open(path) as doc:
        for page in doc.pages():
            page.get_text()


def ingest(path: Path, output: Path) -> None:
    run_ingest(IngestConfig(sources=[str(path)]), RunPaths("bench", "m", chunks_file=output), len, show_progress=False)


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call (CPU time is less disturbed by other jobs on the cores)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def ratio_to_bare(path: Path, fn: Callable[[], object], repeats: int) -> float:
    """Best time of `fn` over best time of bare get_text(), the two run alternately."""
    bare = ours = float("inf")
    for _ in range(repeats):
        bare = min(bare, timed(lambda: bare_pymupdf(path))[0])
        ours = min(ours, timed(fn)[0])
    return ours / bare


def stages(path: Path, repeats: int) -> None:
    """Each stage on the previous stage's output, as a multiple of bare get_text()."""
    extracted = extract_pdf(path)

    def layout() -> list:
        pages, _ = remove_running_lines([[block for region in split_columns(b) for block in merge_table_rows(region)]
                                         for b in extracted.pages], extracted.heights)
        return to_source_lines(pages)

    lines = layout()
    text = join_lines(lines, len(extracted.pages)).text
    for name, fn in [("extraction (words -> lines)", lambda: extract_pdf(path)), ("layout repair", layout),
                     ("line joining + numbers", lambda: join_lines(lines, len(extracted.pages))),
                     ("chunking", lambda: chunk_spans(text, len, 384, 32))]:
        print(f"  {name:28s} {ratio_to_bare(path, fn, repeats):5.2f}x bare")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5, help="best of N for each side")
    parser.add_argument("--stages", action="store_true", help="also time each stage of ingest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "bench.pdf"
        make_pdf(pdf, args.pages)
        output = Path(tmp) / "chunks.jsonl"
        ingest(pdf, output)  # warm-up: imports, font loading
        bare, ours = [float("inf")] * 2, [float("inf")] * 2  # (wall, cpu) best of N
        for _ in range(args.repeats):
            bare = [min(best, now) for best, now in zip(bare, timed(lambda: bare_pymupdf(pdf)))]
            ours = [min(best, now) for best, now in zip(ours, timed(lambda: ingest(pdf, output)))]
        print(f"bare PyMuPDF get_text(): {args.pages / bare[0]:8.1f} pages/s")
        print(f"slm ingest:              {args.pages / ours[0]:8.1f} pages/s")
        print(f"ratio: {bare[0] / ours[0]:.2f}x (target >= 0.7x); on CPU time {bare[1] / ours[1]:.2f}x")
        if args.stages:
            stages(pdf, args.repeats)


if __name__ == "__main__":
    main()
