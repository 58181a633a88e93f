"""The self-contained review page: question, answer, source passage with its numbers highlighted, checks."""

from __future__ import annotations

import html
from typing import Any

from slm_recipes.text.numbers import Quantity, extract_quantities, quantity_in

STYLE = """body{font:15px/1.6 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}
.rejected{border-color:#d33}.meta{color:#666;font-size:13px}.source{background:#f7f7f7;padding:.5rem;white-space:pre-wrap}
mark{background:#ffe58a}mark.hit{background:#9be79b}mark.miss{background:#f4a3a3}.fail{color:#c00}.pass{color:#070}"""


def render_page(sample: list[dict[str, Any]], chunks: dict[str, dict[str, Any]]) -> str:
    parts = [f"<!doctype html><html lang=zh><meta charset=utf-8><title>Review sample ({len(sample)})</title>",
             f"<style>{STYLE}</style><h1>Review sample: {len(sample)} records</h1>",
             ("<p>Edit <code>sample.csv</code> (decision: accept / reject; corrected_answer), then run "
              "<code>slm review import sample.csv --config R</code>. Numbers: <mark class=hit>stated in the answer</mark> "
              "<mark>other numbers of the passage</mark> <mark class=miss>answer number not in the passage</mark>.</p>")]
    parts += [_section(r, chunks.get(r.get("chunk_id", ""))) for r in sample]
    return "\n".join(parts) + "\n</html>\n"


def _section(r: dict[str, Any], chunk: dict[str, Any] | None) -> str:
    source_q = extract_quantities(chunk["text"]) if chunk else []
    answer_q = extract_quantities(r["answer"])
    answer = _highlight(r["answer"], answer_q, lambda q: "hit" if quantity_in(q, source_q) else "miss")
    source = _highlight(chunk["text"], source_q, lambda q: "hit" if quantity_in(q, answer_q) else "") if chunk else "(source chunk not found)"
    checks = "".join(f"<li class={'pass' if v.get('pass') else 'fail'}>{'✓' if v.get('pass') else '✗'} {html.escape(name)}"
                     f"{': ' + html.escape(v['detail']) if v.get('detail') else ''}</li>" for name, v in r.get("checks", {}).items())
    meta = " · ".join(html.escape(str(x)) for x in (r["id"], r["status"], f"score {r.get('score', '')}", r.get("stage", ""),
                                                     r.get("doc", ""), f"pages {r.get('pages', '')}"))
    return (f"<section class={html.escape(r['status'])}><div class=meta>{meta}</div>"
            f"<p><b>Q:</b> {html.escape(r['question'])}</p><p><b>A:</b> {answer}</p>"
            f"<div class=source>{source}</div><ul>{checks}</ul></section>")


def _highlight(text: str, quantities: list[Quantity], css_class) -> str:
    out, at = [], 0
    for q in quantities:
        start, end = q.span
        cls = css_class(q)
        out += [html.escape(text[at:start]), f"<mark{' class=' + cls if cls else ''}>{html.escape(text[start:end])}</mark>"]
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)
