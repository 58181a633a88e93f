"""Per-question verdicts, the per-question JSONL, and the Markdown report comparing base and tuned.

The run's eval folder (`exports/<recipe>/eval/`, `RunPaths.eval`) holds per label (`base`, `tuned`, ...) its
rows (one per question, pointing to the QA pair it checks) and metrics, and `report.md`, rebuilt from
whichever exist: the metrics side by side, then every question, failing ones first.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from slm_recipes.core.atomic import write_text_atomically
from slm_recipes.core.jsonl import read_records
from slm_recipes.core.run_paths import EvalFiles
from slm_recipes.datamodules.questions import EvalQuestion
from slm_recipes.evaluation.keywords import reference_keywords
from slm_recipes.evaluation.metrics import (
    extra_numbers,
    format_problems,
    invented_numbers,
    is_numeric,
    missing_keywords,
    missing_numbers,
    number_set,
)
from slm_recipes.generation.answers import Generated
from slm_recipes.text.lexicon import Lexicon

#: base and tuned (the last three: `slm eval` on an artefact); `-closed`: the same model asked without passages
LABELS = ("base-closed", "base", "tuned-closed", "tuned", "adapter-closed", "adapter", "merged-closed", "merged",
          "gguf-closed", "gguf")
_PROVENANCE = ("chunk_id", "doc", "pages")


def question_row(q: EvalQuestion, answer: Generated, samples: list[str] | None, lexicon: Lexicon) -> dict[str, Any]:
    """One question's verdict. `passed`: strictly correct, well formed and no invented number."""
    numeric = is_numeric(q.reference)
    missing_n = [x.text for x in missing_numbers(answer.text, q.reference)]
    keywords = reference_keywords(q.reference, q.question, lexicon)
    missing_k = missing_keywords(answer.text, q.reference, q.question, lexicon)
    invented = [x.text for x in invented_numbers(answer.text, q.reference, q.source, q.question)]
    problems = format_problems(answer.text, q.question, answer.ended)
    strict = not missing_n if numeric else not missing_k
    row = {
        "id": q.id, "question": q.question, "reference": q.reference, "answer": answer.text, "ended": answer.ended,
        "numeric": numeric, "strict": strict, "missing_numbers": missing_n, "invented_numbers": invented,
        "extra_numbers": [x.text for x in extra_numbers(answer.text, q.reference, q.question)] if numeric else [],
        "keyword_coverage": (len(keywords) - len(missing_k)) / len(keywords) if keywords else None,
        "missing_keywords": missing_k, "format_problems": problems,
        "passed": strict and not problems and not invented,
        "consistent": len({number_set(s) for s in samples}) == 1 if samples and len(samples) > 1 else None,
    }
    row.update({k: q.meta[k] for k in _PROVENANCE if k in q.meta})
    return row


def verdict(row: dict[str, Any]) -> str:
    if row["passed"]:
        return "pass"
    reasons = []
    if row["missing_numbers"]:
        reasons.append("missing " + ", ".join(row["missing_numbers"]))
    if not row["numeric"] and row["missing_keywords"]:
        reasons.append("missing keywords " + ", ".join(row["missing_keywords"]))
    if row["invented_numbers"]:
        reasons.append("invented " + ", ".join(row["invented_numbers"]))
    reasons += row["format_problems"]
    return "FAIL: " + "; ".join(reasons)


def write_results(files: EvalFiles, label: str, rows: list[dict[str, Any]], metrics: dict[str, float]) -> Path:
    """Write the label's rows and metrics, then rebuild the report; returns the report's path."""
    write_text_atomically(files.rows(label), "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    write_text_atomically(files.metrics(label), json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    write_text_atomically(files.report, render_report(files))
    return files.report


def render_report(files: EvalFiles) -> str:
    runs = {label: _read(files, label) for label in LABELS if files.rows(label).is_file()}
    labels = list(runs)
    intro = (f"Runs: {', '.join(labels)}. Metrics (`qa/` overall, `qa_numeric/` and `qa_general/` by question type; "
             "hallucinated numbers: lower is better):")
    lines = ["# QA evaluation", "", intro, ""]
    lines += ["| metric | " + " | ".join(labels) + (" | change |" if len(labels) == 2 else " |"),
              "| --- |" + " --- |" * (len(labels) + (len(labels) == 2))]
    names = sorted({name for _, metrics in runs.values() for name in metrics})
    for name in names:
        values = [runs[label][1].get(name) for label in labels]
        cells = [_fmt(v) for v in values]
        if len(labels) == 2:
            cells.append(_fmt(values[1] - values[0], sign=True) if None not in values else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    main = labels[-1]
    rows = sorted(runs[main][0], key=lambda r: r["passed"])
    others = {label: {r["id"]: r for r in runs[label][0]} for label in labels[:-1]}
    failing = sum(not r["passed"] for r in rows)
    lines += ["", f"## Questions ({main}: {failing} of {len(rows)} failing, listed first)", ""]
    header = ["id", "question", "reference", f"{main} answer", "verdict"]
    cited = any(r.get("sources") for r in rows)
    if cited:
        header.append("sources (passages shown)")
    for label in others:
        header += [f"{label} answer", f"{label} verdict"]
    lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in rows:
        cells = [row["id"], row["question"], row["reference"], row["answer"], verdict(row)]
        if cited:
            cells.append("; ".join(f"{s['source']} [{s['passage']}]" for s in row.get("sources") or []))
        for by_id in others.values():
            other = by_id.get(row["id"])
            cells += [other["answer"], verdict(other)] if other else ["", ""]
        lines.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _read(files: EvalFiles, label: str) -> tuple[list[dict[str, Any]], dict[str, float]]:
    rows = [row for _, row in read_records(files.rows(label))]
    metrics_file = files.metrics(label)
    metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
    return rows, metrics


def _fmt(value: float | None, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:+.3f}" if sign else f"{value:.3f}"


def markdown_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:300]
