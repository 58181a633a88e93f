"""Training progress as plain lines, for runs whose output is not a terminal (nohup, CI, a log file).

Lightning's bars redraw one line with carriage returns, which a log file shows as one endless line
or not at all; this bar prints a whole line at a steady interval instead (`SLM_PROGRESS_INTERVAL`
seconds, default 30) and one after each validation:

    fit: epoch 2/4, step 31/80 (39%), loss 0.912, 131 tokens/s; 0:03:05 elapsed, ETA 0:04:53
"""

from __future__ import annotations

import sys
import time
from typing import Any

import lightning as L
from lightning.pytorch.callbacks import ProgressBar

from slm_recipes.core.progress import clock, eta, interval_s


class LogLineProgress(ProgressBar):
    def __init__(self) -> None:
        super().__init__()
        self._enabled = True
        self._started = time.monotonic()
        self._last = self._started

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    @property
    def is_enabled(self) -> bool:
        return self._enabled

    def print(self, *args: Any, **kwargs: Any) -> None:
        print(*args, **kwargs, file=sys.stderr, flush=True)

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._started = self._last = time.monotonic()

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        if self._enabled and time.monotonic() - self._last >= interval_s():
            self.print(self.line(trainer, "fit"))

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self._enabled and not trainer.sanity_checking:
            self.print(self.line(trainer, "validation" if trainer.state.fn == "validate" else "fit"))

    def line(self, trainer: L.Trainer, what: str) -> str:
        self._last = now = time.monotonic()
        metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if getattr(v, "numel", lambda: 1)() == 1}
        figures = [f"{name} {metrics[key]:.3f}" for key, name in (("train/loss_step", "loss"), ("val/loss", "val loss"))
                   if key in metrics]
        if "train/tokens_per_sec" in metrics:
            figures.append(f"{metrics['train/tokens_per_sec']:.0f} tokens/s")
        if what == "validation":
            return f"{what}: " + (", ".join(figures) or "done")
        total = int(trainer.estimated_stepping_batches) if trainer.max_steps != 0 else 0
        step = trainer.global_step
        share = f" ({step / total:.0%})" if total else ""
        elapsed = now - self._started
        epochs = f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs}, " if trainer.max_epochs and trainer.max_epochs > 0 else ""
        return (f"{what}: {epochs}step {step}/{total or '?'}{share}" + "".join(f", {f}" for f in figures)
                + f"; {clock(elapsed)} elapsed, ETA {eta(step, total, elapsed)}")
