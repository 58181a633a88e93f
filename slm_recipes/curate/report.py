"""What curation kept and why it rejected the rest: Markdown and JSON files, and a table for the terminal."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.table import Table

from slm_recipes.core.atomic import write_text_atomically


@dataclass
class CurateReport:
    """Counts of one curate run; `to_dict` is report.json, `to_markdown` is report.md."""

    output_dir: str
    rejected_file: str = ""
    markdown_file: str = ""
    total: int = 0
    kept: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # rejection reason -> records (a record may have several)
    splits: dict[str, int] = field(default_factory=dict)  # records per split
    split_chunks: dict[str, int] = field(default_factory=dict)  # source chunks per split
    numeric_kept: int = 0  # kept records whose answer states a number
    numeric_share_target: float = 0.3
    chunks_without_numeric: int = 0  # chunks that state numbers but have no kept numeric pair
    score_histogram: list[int] = field(default_factory=lambda: [0] * 10)  # 0-9, 10-19, ..., 90-100
    coverage: dict[str, dict[str, int]] = field(default_factory=dict)  # doc -> {"chunks", "uncovered"}
    fact_coverage: dict[str, dict] = field(default_factory=dict)  # doc -> numeric facts and articles covered, and the rest
    coverage_target: float = 0.95
    split: str = "variant"
    review: dict[str, int] = field(default_factory=dict)  # accepted / rejected / corrected / unknown ids

    @property
    def rejected(self) -> int:
        return self.total - self.kept

    def failure_summary(self) -> str | None:
        """One line when nothing was kept: training would have no data."""
        if self.kept:
            return None
        why = ", ".join(f"{reason} ×{n}" for reason, n in sorted(self.reasons.items(), key=lambda r: -r[1])[:3])
        return f"curate kept none of the {self.total} pairs ({why}); see {self.rejected_file} and {self.markdown_file}"

    @property
    def numeric_share(self) -> float:
        return self.numeric_kept / self.kept if self.kept else 0.0

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.numeric_share < self.numeric_share_target:
            out.append(f"numeric share {self.numeric_share:.0%} is under the target {self.numeric_share_target:.0%}: "
                       f"{self.chunks_without_numeric} chunk(s) that state numbers have no kept numeric question")
        uncovered = sum(doc["uncovered"] for doc in self.coverage.values())
        if uncovered:
            out.append(f"{uncovered} chunk(s) have no kept pair")
        for doc, facts in self.fact_coverage.items():
            if facts["share"] < self.coverage_target:
                missing = ", ".join(f"{u['number']} ({u['article'] or 'p. ' + '-'.join(map(str, u['pages']))})"
                                    for u in facts["uncovered"][:3])
                out.append(f"{doc}: training pairs state {facts['covered']} of its {facts['facts']} numeric facts "
                           f"({facts['share']:.0%}, target {self.coverage_target:.0%}); none states {missing}"
                           + (" …" if len(facts["uncovered"]) > 3 else "") + " (all in report.md)")
            if facts.get("articles_share", 1.0) < self.coverage_target:
                missing = ", ".join(facts["articles_uncovered"][:5])
                out.append(f"{doc}: {facts['articles_covered']} of its {facts['articles']} articles have a training pair "
                           f"({facts['articles_share']:.0%}, target {self.coverage_target:.0%}); none has {missing}"
                           + (" …" if len(facts["articles_uncovered"]) > 5 else "") + " (all in report.md)")
        return out

    def add_score(self, score: int) -> None:
        self.score_histogram[min(9, max(0, score) // 10)] += 1

    def count_reasons(self, reasons: Counter[str]) -> None:
        self.reasons = dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))

    def to_dict(self) -> dict:
        return {**asdict(self), "rejected": self.rejected, "numeric_share": round(self.numeric_share, 4), "warnings": self.warnings}

    def to_markdown(self) -> str:
        lines = [f"# Data report: {self.output_dir}", "",
                 f"- records: {self.total}, kept {self.kept}, rejected {self.rejected}",
                 f"- numeric share of kept pairs: {self.numeric_share:.1%} (target {self.numeric_share_target:.0%})",
                 f"- split by {self.split}; records / chunks: " + ", ".join(
                     f"{name} {self.splits.get(name, 0)} / {self.split_chunks.get(name, 0)}" for name in ("train", "val", "test"))]
        if self.review:
            lines.append("- human review: " + ", ".join(f"{k} {v}" for k, v in self.review.items()))
        lines += ["", *[f"> **warning:** {w}" for w in self.warnings]]
        lines += ["", "## Rejected by reason", "", "| reason | records |", "| --- | ---: |"]
        lines += [f"| {reason} | {count} |" for reason, count in self.reasons.items()]
        lines += ["", "## Score histogram", "", "| score | records |", "| --- | ---: |"]
        lines += [f"| {10 * i}-{10 * i + 9 if i < 9 else 100} | {n} |" for i, n in enumerate(self.score_histogram)]
        lines += ["", "## Coverage by document", "", "| document | chunks | chunks with no kept pair |", "| --- | ---: | ---: |"]
        lines += [f"| {doc} | {c['chunks']} | {c['uncovered']} |" for doc, c in self.coverage.items()]
        lines += ["", "## Numeric facts and articles stated by a training pair", "",
                  "| document | numeric facts | covered | share | articles | covered | share |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        lines += [f"| {doc} | {c['facts']} | {c['covered']} | {c['share']:.1%} | {c.get('articles', 0)} | "
                  f"{c.get('articles_covered', 0)} | {c.get('articles_share', 1.0):.1%} |" for doc, c in self.fact_coverage.items()]
        for doc, c in self.fact_coverage.items():
            if c["uncovered"]:
                lines += ["", f"Not stated by any training pair in {doc}:", ""]
                lines += [f"- {u['number']} ({u['article'] or 'no article'}, pages {'-'.join(map(str, u['pages']))})"
                          for u in c["uncovered"]]
            if c.get("articles_uncovered"):
                lines += ["", f"Articles of {doc} with no training pair: " + ", ".join(c["articles_uncovered"])]
        return "\n".join(lines) + "\n"

    def write(self, json_file: Path, markdown_file: Path) -> None:
        write_text_atomically(json_file, json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n")
        write_text_atomically(markdown_file, self.to_markdown())

    def render(self) -> Table:
        table = Table(title=f"curate → {self.output_dir}", caption="\n".join(f"warning: {w}" for w in self.warnings) or None)
        table.add_column("")
        table.add_column("records", justify="right")
        table.add_row("distilled", str(self.total))
        table.add_row(f"kept (numeric {self.numeric_share:.0%})", str(self.kept), end_section=True)
        for name in ("train", "val", "test"):
            table.add_row(f"{name} ({self.split_chunks.get(name, 0)} chunks)", str(self.splits.get(name, 0)))
        table.add_row("rejected", str(self.rejected), end_section=True)
        for doc, c in self.fact_coverage.items():
            table.add_row(f"numeric facts covered: {doc}", f"{c['covered']}/{c['facts']} ({c['share']:.0%})")
            if c.get("articles"):
                table.add_row(f"articles covered: {doc}",
                              f"{c['articles_covered']}/{c['articles']} ({c['articles_share']:.0%})")
        for reason, count in self.reasons.items():
            table.add_row(f"  {reason}", str(count))
        return table
