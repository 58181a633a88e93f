"""The run's TensorBoard scalars as rows for the page's charts, read from the event files as they grow."""

from __future__ import annotations

from pathlib import Path

CHARTS = {  # chart -> the tags it draws (a prefix ending in / takes every tag under it)
    "loss": ("train/loss_step", "val/loss"),
    "learning rate": ("lr-",),
    "tokens per second": ("train/tokens_per_sec",),
    "QA metrics": ("qa/",),
}


_READ: dict[Path, tuple[tuple[int, float], list[dict]]] = {}  # an event file's rows, until it changes


def read_scalars(run_dir: Path) -> list[dict]:
    """Every scalar of the event files under `run_dir`: rows of tag, step, value (empty before the first).

    The page asks every second; an event file is read again only when its size or time has changed.
    """
    rows: list[dict] = []
    for events in sorted(run_dir.glob("events.out.tfevents.*")):
        stat = events.stat()
        seen = _READ.get(events)
        if seen is None or seen[0] != (stat.st_size, stat.st_mtime):
            _READ[events] = seen = ((stat.st_size, stat.st_mtime), _read_file(events))
        rows += seen[1]
    return rows


def _read_file(events: Path) -> list[dict]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(events), size_guidance={"scalars": 0})
    accumulator.Reload()
    return [{"tag": tag, "step": event.step, "value": event.value}
            for tag in accumulator.Tags().get("scalars", []) for event in accumulator.Scalars(tag)]


def chart_rows(rows: list[dict], chart: str) -> list[dict]:
    wanted = CHARTS[chart]
    return [row for row in rows if any(row["tag"] == t or (t.endswith(("/", "-")) and row["tag"].startswith(t))
                                       for t in wanted)]
