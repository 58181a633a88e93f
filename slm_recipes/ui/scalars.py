"""The run's TensorBoard scalars as rows for the page's charts, read from the event files as they grow."""

from __future__ import annotations

from pathlib import Path

from slm_recipes.ui.views import when_changed

CHARTS = {  # chart -> the tags it draws (a prefix ending in / takes every tag under it)
    "loss": ("train/loss_step", "val/loss"),
    "learning rate": ("lr-",),
    "tokens per second": ("train/tokens_per_sec",),
    "QA metrics": ("qa/",),
}


def read_scalars(run_dir: Path) -> list[dict]:
    """Every scalar of the event files under `run_dir`: rows of tag, step, value (empty before the first).

    The page asks every second; an event file is read again only when it has changed.
    """
    return [row for events in sorted(run_dir.glob("events.out.tfevents.*")) for row in when_changed(events, _read_file)]


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
