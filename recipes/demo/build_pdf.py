"""Build the demo PDF ``reimbursement_rules.pdf`` from ``reimbursement_rules.txt``.

Why this exists: the demo recipe needs an offline, license-free input document that
looks like what an organisation really feeds the ingest stage -- a multi-page PDF with
Chinese text, chapters and numbered articles full of numeric facts (amounts, days,
percentages, dates). The company and its rules are fictional.

The running header (``星河科技有限公司 报销细则``) and footer (``第 N 页 共 M 页``) are
printed on every page ON PURPOSE: ingestion must recognise and drop repeated page
furniture instead of letting it leak into chunks (and, from there, into QA pairs).

Run ``python recipes/demo/build_pdf.py``; it rewrites the PDF next to this file and then
checks that the body text round-trips through ``page.get_text()`` and that there are at
least 3 pages. The output is deterministic for a given PyMuPDF version and is committed.
The domain documents are built the same way: ``python recipes/demo/build_pdf.py --txt
recipes/domains/teaching/teaching_rules.txt --header "明德大学 本科教学管理规定" --prefix teach``.

``article_pages()`` maps each article (``demo-art-NN``) to the PDF pages it spans, read
back from the PDF itself; the hand-written QA files use it for their ``pages`` field.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
TXT_PATH = HERE / "reimbursement_rules.txt"
PDF_PATH = HERE / "reimbursement_rules.pdf"

FONT = "china-s"  # PyMuPDF built-in CJK font (Simplified Chinese), nothing to install
HEADER = "星河科技有限公司 报销细则"
FOOTER = "第 {n} 页 共 {m} 页"

MARGIN_X = 64.0
MARGIN_TOP = 84.0  # body starts below the header rule
MARGIN_BOTTOM = 78.0  # body stops above the footer
BODY_SIZE = 11.0
LINE_GAP = 1.75  # line height as a multiple of the font size
PARA_GAP = 5.0  # extra points between paragraphs

# punctuation that must not start a line (it hangs at the end of the previous one)
NO_LINE_START = set("，。、；：？！）》”’」』%")
# an ASCII run and the unit right after it ("1200元", "A类") are never split across lines,
# so extracted text never reads "1200\n元"
ASCII_RUN = re.compile(r"[0-9A-Za-z.,/%]+(?:万元|元|个工作日|个月|小时|公里|天|年|月|日|次|张|人|名|间|类)?|.", re.DOTALL)

CN_DIGITS = "零一二三四五六七八九"
ARTICLE_RE = re.compile(r"^第([一二三四五六七八九十百]+)条")
CHAPTER_RE = re.compile(r"^第[一二三四五六七八九十百]+章")


def cn_to_int(s: str) -> int:
    """Chinese numeral below 1000 (``五十四``) to int."""
    total, cur = 0, 0
    for ch in s:
        if ch == "百":
            total += (cur or 1) * 100
            cur = 0
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = CN_DIGITS.index(ch)
    return total + cur


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def articles(text: str, prefix: str = "demo") -> dict[str, str]:
    """``{"demo-art-01": "第一条 ...", ...}`` in document order."""
    out = {}
    for para in paragraphs(text):
        m = ARTICLE_RE.match(para)
        if m:
            out[f"{prefix}-art-{cn_to_int(m.group(1)):02d}"] = para
    return out


def _segments(s: str) -> list[str]:
    """Split into CJK runs and single ASCII characters."""
    return re.findall(r"[^\x21-\x7e]+|[\x21-\x7e]", s)


def text_width(s: str, size: float) -> float:
    """Width as drawn by ``draw_text``.

    ``china-s`` reports every glyph one em wide, but its Latin glyphs are narrow, so a
    plain ``insert_text`` would print "1 2 0 0元". CJK runs are measured (and drawn) with
    ``china-s``; each ASCII character gets a proportional advance measured with the
    built-in Helvetica metrics, which match the narrow Latin glyphs closely enough.
    """
    return sum(
        pymupdf.get_text_length(seg, fontname="helv" if seg.isascii() and seg.strip() else FONT, fontsize=size)
        for seg in _segments(s)
    )


def draw_text(page: pymupdf.Page, x: float, y: float, s: str, size: float, color=(0, 0, 0)) -> None:
    for seg in _segments(s):
        page.insert_text((x, y), seg, fontname=FONT, fontsize=size, color=color)
        x += text_width(seg, size)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Greedy line breaking by measured width, CJK-aware."""
    lines, cur = [], ""
    for tok in ASCII_RUN.findall(text):
        if cur and text_width(cur + tok, size) > width and tok[0] not in NO_LINE_START:
            lines.append(cur)
            cur = tok
        else:
            cur += tok
    if cur:
        lines.append(cur)
    return lines


def layout(text: str, page_rect: pymupdf.Rect) -> list[list[tuple[float, float, str, float]]]:
    """Place every line; returns pages of (x, baseline_y, text, fontsize)."""
    width = page_rect.width - 2 * MARGIN_X
    bottom = page_rect.height - MARGIN_BOTTOM
    pages: list[list[tuple[float, float, str, float]]] = [[]]
    y = MARGIN_TOP
    for i, para in enumerate(paragraphs(text)):
        if i == 0:  # document title
            size, centred, before = 16.0, True, 6.0
        elif CHAPTER_RE.match(para):
            size, centred, before = 13.0, True, 10.0
        elif para.startswith("（"):  # adoption note under the title
            size, centred, before = 10.0, True, 0.0
        else:
            size, centred, before = BODY_SIZE, False, 0.0
        lead = size * LINE_GAP
        lines = wrap(para, size, width)
        if centred and y + before + lead * len(lines) + 2 * BODY_SIZE * LINE_GAP > bottom:
            pages.append([])  # keep a heading with its first line
            y = MARGIN_TOP
        y += before if pages[-1] else 0.0
        for line in lines:
            if y + lead > bottom:
                pages.append([])
                y = MARGIN_TOP
            x = MARGIN_X
            if centred:
                x = (page_rect.width - text_width(line, size)) / 2
            pages[-1].append((x, y + size, line, size))
            y += lead
        y += PARA_GAP
    return pages


def build(txt_path: Path = TXT_PATH, pdf_path: Path = PDF_PATH, header: str = HEADER) -> Path:
    text = txt_path.read_text(encoding="utf-8")
    page_rect = pymupdf.paper_rect("a4")
    placed = layout(text, page_rect)
    doc = pymupdf.open()
    total = len(placed)
    for n, lines in enumerate(placed, start=1):
        page = doc.new_page(width=page_rect.width, height=page_rect.height)
        # running header with a rule under it
        draw_text(page, MARGIN_X, 50, header, 9, color=(0.35, 0.35, 0.35))
        page.draw_line((MARGIN_X, 58), (page_rect.width - MARGIN_X, 58), color=(0.6, 0.6, 0.6), width=0.5)
        for x, y, line, size in lines:
            draw_text(page, x, y, line, size)
        footer = FOOTER.format(n=n, m=total)
        fx = (page_rect.width - text_width(footer, 9)) / 2
        draw_text(page, fx, page_rect.height - 40, footer, 9, color=(0.35, 0.35, 0.35))
    doc.set_metadata({"title": paragraphs(text)[0], "author": "slm-recipes demo (fictional)",
                      "creationDate": "D:20250301000000", "modDate": "D:20250301000000"})
    doc.save(pdf_path, garbage=4, deflate=True, no_new_id=True)
    doc.close()
    return pdf_path


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def page_bodies(pdf_path: Path = PDF_PATH, header: str = HEADER) -> list[str]:
    """Each page's text with whitespace, header and footer removed."""
    bodies = []
    with pymupdf.open(pdf_path) as doc:
        total = doc.page_count
        for n, page in enumerate(doc, start=1):
            body = _squash(page.get_text())
            for furniture in (header, FOOTER.format(n=n, m=total)):
                body = body.replace(_squash(furniture), "", 1)
            bodies.append(body)
    return bodies


def article_pages(pdf_path: Path = PDF_PATH, txt_path: Path = TXT_PATH, header: str = HEADER,
                  prefix: str = "demo") -> dict[str, list[int]]:
    """``{"demo-art-01": [first_page, last_page], ...}`` (1-based), found in the PDF text."""
    bodies = page_bodies(pdf_path, header)
    starts, joined = [], ""
    for body in bodies:
        starts.append(len(joined))
        joined += body

    def page_of(offset: int) -> int:
        return max(i for i, s in enumerate(starts) if s <= offset) + 1

    out, pos = {}, 0
    for cid, para in articles(txt_path.read_text(encoding="utf-8"), prefix).items():
        flat = _squash(para)
        at = joined.find(flat, pos)
        if at < 0:
            raise ValueError(f"{cid} not found in {pdf_path.name}")
        out[cid] = [page_of(at), page_of(at + len(flat) - 1)]
        pos = at + len(flat)
    return out


def check(pdf_path: Path = PDF_PATH, txt_path: Path = TXT_PATH, header: str = HEADER, prefix: str = "demo",
          min_pages: int = 3) -> None:
    bodies = page_bodies(pdf_path, header)
    if len(bodies) < min_pages:
        raise SystemExit(f"expected >= {min_pages} pages, got {len(bodies)}")
    want = _squash(txt_path.read_text(encoding="utf-8"))
    got = "".join(bodies)
    if got != want:
        i = next((k for k, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        raise SystemExit(f"text does not round-trip at char {i}: {got[i - 20:i + 20]!r} vs {want[i - 20:i + 20]!r}")
    article_pages(pdf_path, txt_path, header, prefix)


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Build a rules document's PDF from its text.")
    parser.add_argument("--txt", type=Path, default=TXT_PATH)
    parser.add_argument("--header", default=HEADER, help="running header printed on every page")
    parser.add_argument("--prefix", default="demo", help="article ids: <prefix>-art-NN")
    parser.add_argument("--min-pages", type=int, default=3, help="fewest pages the document must fill (a real, short "
                        "regulation may fill one)")
    args = parser.parse_args()
    pdf = args.txt.with_suffix(".pdf")
    path = build(args.txt, pdf, args.header)
    check(path, args.txt, args.header, args.prefix, args.min_pages)
    with pymupdf.open(path) as doc:
        print(f"wrote {path} ({doc.page_count} pages); text round-trips")
    return 0


if __name__ == "__main__":
    sys.exit(main())
