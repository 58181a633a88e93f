"""Log non-padding tokens per second: the speed figure that padding cannot inflate."""

from __future__ import annotations

import time
from typing import Any

import lightning as L


class TokenThroughput(L.Callback):
    """Counts real (attention-mask) tokens between optimizer steps and logs their rate."""

    def __init__(self) -> None:
        self._tokens = 0
        self._since: float | None = None

    def on_train_batch_start(self, trainer: L.Trainer, pl_module: L.LightningModule, batch: Any, batch_idx: int) -> None:
        if self._since is None:
            self._since = time.perf_counter()

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, outputs: Any, batch: Any,
                           batch_idx: int) -> None:
        self._tokens += int(batch["attention_mask"].sum())
        if (batch_idx + 1) % trainer.accumulate_grad_batches != 0:
            return
        elapsed = time.perf_counter() - self._since
        tokens = self._tokens * trainer.world_size
        pl_module.log("train/tokens_per_sec", tokens / max(elapsed, 1e-9), on_step=True, on_epoch=False)
        self._tokens, self._since = 0, time.perf_counter()

    def on_validation_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._tokens, self._since = 0, None
