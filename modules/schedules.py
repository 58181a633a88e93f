"""Learning-rate schedules a recipe names as `model.lr_scheduler`."""

from __future__ import annotations

import math
from typing import Literal

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


class WarmupDecayLR(LambdaLR):
    """Linear warm-up, then cosine or linear decay to `min_lr_ratio` of the peak by the last step.

    `num_training_steps` is filled in by the module from the Trainer (it depends on the data),
    so a recipe sets only the shape of the schedule.
    """

    def __init__(self, optimizer: Optimizer, num_training_steps: int, warmup_steps: int = 30,
                 decay: Literal["cosine", "linear", "constant"] = "cosine", min_lr_ratio: float = 0.0) -> None:
        self.num_training_steps = max(1, num_training_steps)
        self.warmup_steps = min(warmup_steps, self.num_training_steps)
        self.decay = decay
        self.min_lr_ratio = min_lr_ratio
        super().__init__(optimizer, self._factor)

    def _factor(self, step: int) -> float:
        if step < self.warmup_steps:
            return (step + 1) / (self.warmup_steps + 1)
        if self.decay == "constant":
            return 1.0
        progress = min(1.0, (step - self.warmup_steps) / max(1, self.num_training_steps - self.warmup_steps))
        shape = 0.5 * (1 + math.cos(math.pi * progress)) if self.decay == "cosine" else 1 - progress
        return self.min_lr_ratio + (1 - self.min_lr_ratio) * shape
