"""(Q)LoRA fine-tuning of any Hugging Face causal LM, with the Trainer owning the loop."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from lightning.pytorch.cli import OptimizerCallable
from lightning.pytorch.strategies import FSDPStrategy
from lightning.pytorch.utilities import grad_norm, rank_zero_warn
from slm_recipes.datamodules.chat_encoding import IGNORE_INDEX
from slm_recipes.modules.loading import Quantization, load_base_model
from slm_recipes.modules.lora import attach_lora
from slm_recipes.modules.packed_attention import example_spans, use_packed_attention
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from slm_recipes.core.atomic import write_dir_atomically
from slm_recipes.core.devices import compute_dtype
from slm_recipes.core.errors import RecipeError

SchedulerCallable = Callable[[Optimizer, int], LRScheduler]


def _plain_output_head(config: Any) -> bool:
    """True where logits are just the head's output (no soft-capping or scaling after it)."""
    return not getattr(config, "final_logit_softcapping", None) and getattr(config, "logit_scale", None) in (None, 1.0)


class QLoRACausalLM(L.LightningModule):
    def __init__(
        self,
        model_name: str,
        quantization: Quantization = "none",
        lora_r: int = 16,
        lora_alpha: int = 32,
        lora_dropout: float = 0.05,
        target_modules: str | list[str] = "all-linear",
        use_dora: bool = False,
        gradient_checkpointing: bool = False,
        max_length: int = 512,
        optimizer: OptimizerCallable = torch.optim.AdamW,
        lr_scheduler: SchedulerCallable | None = None,
    ) -> None:
        """
        Args:
            model_name: Hub id or local folder of the base model (e.g. Qwen/Qwen2.5-3B-Instruct).
            quantization: nf4 = QLoRA (4-bit NF4, double quantisation), int8, or none (16/32-bit base).
            lora_r: LoRA rank.
            lora_alpha: LoRA scaling numerator (scale = alpha / r).
            lora_dropout: Dropout on the LoRA path.
            target_modules: Layers that get adapters; "all-linear" = every linear layer but the output head.
            use_dora: Weight-decomposed LoRA (DoRA).
            gradient_checkpointing: Recompute activations in backward: less memory, ~30% more time.
            max_length: Longest sequence the data will give (linked from the data); checked against the model.
            optimizer: Optimizer over the trainable (adapter) parameters.
            lr_scheduler: Schedule called with (optimizer, total optimizer steps), stepped every optimizer step.
        """
        super().__init__()
        self.save_hyperparameters(ignore=["optimizer", "lr_scheduler"])
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.model = None
        # Checkpoints hold the adapters only; the frozen base is reloaded from `model_name`.
        self.strict_loading = False

    def configure_model(self) -> None:
        if self.model is not None:
            return
        device = self.trainer.strategy.root_device if self._trainer else torch.device("cpu")
        sharded = self._trainer is not None and isinstance(self.trainer.strategy, FSDPStrategy)
        base = load_base_model(self.hparams.model_name, self.hparams.quantization, compute_dtype(device), device,
                               shardable=sharded)
        limit = getattr(base.config, "max_position_embeddings", None)
        if limit and self.hparams.max_length > limit:
            rank_zero_warn(f"max_length {self.hparams.max_length} exceeds the model's {limit} positions")
        # The adapters' random start depends on the run's seed alone, not on what drew random numbers before
        # (DDP re-seeds each rank at set-up, one process does not): the same start on 1 or N processes.
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(int(os.environ.get("PL_GLOBAL_SEED", "0")))
            self.model = attach_lora(
                base, r=self.hparams.lora_r, alpha=self.hparams.lora_alpha, dropout=self.hparams.lora_dropout,
                target_modules=self.hparams.target_modules, use_dora=self.hparams.use_dora,
                gradient_checkpointing=self.hparams.gradient_checkpointing,
                quantized=self.hparams.quantization != "none", sharded=sharded,
            )
        # from_pretrained leaves the model in eval mode, which would switch LoRA dropout off.
        self.model.train()

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor,
                position_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Mean next-token loss over the trained (answer) positions.

        Logits are computed only where a label is trained: the output head over a 150k
        vocabulary is a large share of a small model's compute, and answer-only masking
        leaves most positions untrained. A packed batch (`data.init_args.packing`) brings
        `position_ids` that restart per example; the model is then given no attention mask,
        which is how transformers knows to keep the examples apart (on sdpa, `packed_attention`
        computes each example's attention on its own).
        """
        base = self.model.get_base_model()
        # no KV cache: transformers looks for packed examples only without one
        inputs: dict[str, Any] = {"input_ids": input_ids, "use_cache": False}
        if position_ids is None:
            inputs["attention_mask"] = attention_mask
        else:
            inputs["position_ids"] = position_ids
            if use_packed_attention(base):
                inputs["packed_spans"] = example_spans(position_ids)
        if not _plain_output_head(base.config):
            return self.model(**inputs, labels=labels).loss
        hidden = base.get_decoder()(**inputs).last_hidden_state
        targets = labels[:, 1:]
        keep = targets != IGNORE_INDEX
        logits = base.get_output_embeddings()(hidden[:, :-1][keep])
        return F.cross_entropy(logits.float(), targets[keep])

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        loss = self(**batch)
        tokens = batch["attention_mask"].sum()
        trained = (batch["labels"] != -100).sum()
        self.log("train/loss", loss, on_step=True, on_epoch=True, prog_bar=True, sync_dist=True,  # epoch: every rank's
                 batch_size=batch["input_ids"].size(0))
        self.log("train/trained_token_share", trained / tokens, on_step=True, on_epoch=False,
                 batch_size=batch["input_ids"].size(0))
        return loss

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        loss = self(**batch)
        self.log("val/loss", loss, on_epoch=True, prog_bar=True, sync_dist=True, batch_size=batch["input_ids"].size(0))
        return loss

    def on_before_optimizer_step(self, optimizer: Optimizer) -> None:
        norms = grad_norm(self.model, norm_type=2)
        if "grad_2.0_norm_total" in norms:
            self.log("train/grad_norm", norms["grad_2.0_norm_total"], on_step=True, on_epoch=False)

    def configure_optimizers(self) -> Any:
        optimizer = self.optimizer([p for p in self.parameters() if p.requires_grad])
        if self.lr_scheduler is None:
            return optimizer
        scheduler = self.lr_scheduler(optimizer, int(self.trainer.estimated_stepping_batches))
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    def trainable_names(self) -> set[str]:
        return {name for name, p in self.named_parameters() if p.requires_grad}

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        trainable = self.trainable_names()
        checkpoint["state_dict"] = {k: v for k, v in checkpoint["state_dict"].items() if k in trainable}

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        trainable = self.trainable_names()
        missing = trainable - set(checkpoint["state_dict"])
        if missing:
            raise RecipeError(
                f"the checkpoint lacks {len(missing)} adapter weights of this recipe (e.g. {sorted(missing)[0]}); "
                "it was trained with other LoRA settings or another model"
            )

    def adapter_state(self) -> dict[str, torch.Tensor]:
        """The whole adapter, on rank 0 (empty elsewhere); every rank must call it.

        Through the strategy, so FSDP gathers the shards (a collective: no rank may skip it); a single
        process or DDP simply reads its own copy.
        """
        state = self.trainer.strategy.lightning_module_state_dict() if self._trainer else self.state_dict()
        trainable = self.trainable_names()
        return {k: v for k, v in state.items() if k in trainable}

    def save_adapter(self, directory: str | Path, state: dict[str, torch.Tensor] | None = None) -> None:
        """A standard PEFT folder (adapter_config.json, adapter_model.safetensors), swapped in whole.

        `state` is `adapter_state()` (or a checkpoint's state_dict) where the weights are sharded."""
        own = None if state is None else {k.removeprefix("model."): v for k, v in state.items() if k.startswith("model.")}
        write_dir_atomically(directory, lambda staging: self.model.save_pretrained(str(staging), state_dict=own))
