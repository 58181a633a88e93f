"""Keep a standard PEFT adapter folder next to the Lightning checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L

from slm_recipes.core.run_paths import adapter_dir_in


class SaveAdapter(L.Callback):
    """Writes `adapter/` (adapter_config.json, adapter_model.safetensors) whenever a checkpoint is saved
    and at the end of fit, so `peft.PeftModel.from_pretrained` can load the latest adapter."""

    def adapter_dir(self, trainer: L.Trainer) -> Path:
        """The run folder's `adapter/` (logs/<name>/<model>/adapter under the recipe's logger).

        Every rank must ask: `trainer.log_dir` is broadcast from rank 0 (a collective) under DDP."""
        return adapter_dir_in(trainer.log_dir or trainer.default_root_dir)

    def on_save_checkpoint(self, trainer: L.Trainer, pl_module: L.LightningModule, checkpoint: dict[str, Any]) -> None:
        directory = self.adapter_dir(trainer)
        if trainer.is_global_zero:  # the checkpoint's state_dict is already whole on rank 0, under any strategy
            pl_module.save_adapter(directory, checkpoint["state_dict"])

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        state, directory = pl_module.adapter_state(), self.adapter_dir(trainer)  # collectives: on every rank
        if trainer.is_global_zero:
            pl_module.save_adapter(directory, state)
