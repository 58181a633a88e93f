"""What distill did: for the console (rich table) and for machines (dict)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich.table import Table


@dataclass
class DistillReport:
    """Counts of one run; `failures` lists every (chunk, stage) no teacher answered, with each teacher's reason."""

    output: str
    failures_file: str
    chunks: int = 0
    units: int = 0  # (chunk, stage) pairs
    requested: int = 0  # answered by a teacher in this run
    cached: int = 0  # taken from the cache of an earlier run
    resumed: int = 0  # taken from the journal of an interrupted run
    records: int = 0
    invalid_pairs: int = 0  # pairs without a question or an answer (counted, not written)
    numeric_records: int = 0  # records whose answer states at least one number
    required_numeric_share: float = 0.3
    by_stage: Counter = field(default_factory=Counter)
    by_teacher: Counter = field(default_factory=Counter)
    usage: Counter = field(default_factory=Counter)  # tokens of the requests made in this run
    failures: list[dict] = field(default_factory=list)

    def failure_summary(self) -> str | None:
        """One line on the failed (chunk, stage) units: how many, the commonest reasons, where the list is."""
        if not self.failures:
            return None
        reasons = Counter(f["errors"][-1]["error"][:90] if f.get("errors") else "no teacher answered" for f in self.failures)
        why = "; ".join(f"{reason} (×{n})" if n > 1 else reason for reason, n in reasons.most_common(2))
        more = f"; {len(reasons) - 2} other reason(s)" if len(reasons) > 2 else ""
        return (f"distill: {len(self.failures)} of {self.units} chunk stage(s) failed: {why}{more}; the list is in "
                f"{self.failures_file}; run again to retry only those")

    @property
    def numeric_share(self) -> float:
        return self.numeric_records / self.records if self.records else 0.0

    def render(self) -> Table:
        table = Table(title=f"distill → {self.output} ({self.records} pairs from {self.chunks} chunks)")
        table.add_column("what")
        table.add_column("count", justify="right")
        rows = [("requests this run", self.requested), ("from cache", self.cached), ("resumed from journal", self.resumed),
                *((f"stage {stage}", n) for stage, n in self.by_stage.items()),
                *((f"teacher {teacher}", n) for teacher, n in self.by_teacher.items()),
                ("invalid pairs (skipped)", self.invalid_pairs)]
        for name, count in rows:
            table.add_row(name, str(count))
        share = f"{self.numeric_share:.0%} (required ≥ {self.required_numeric_share:.0%})"
        table.add_row("answers stating a number", share if self.numeric_share >= self.required_numeric_share
                      else f"[red]{share}[/red]")
        if self.usage:
            table.add_row("tokens", ", ".join(f"{k} {v}" for k, v in self.usage.items()))
        failed = f"[red]{len(self.failures)}[/red] → {self.failures_file}" if self.failures else "0"
        table.add_row("failed chunks", failed)
        return table
