"""Ship the trained model at the end of fit: a merged Hugging Face folder, then verified GGUF files."""

from __future__ import annotations

import tempfile

import lightning as L
from lightning.pytorch.utilities import rank_zero_info

from slm_recipes.export.merge import merge_adapter_dir, save_merged
from slm_recipes.export.pipeline import GGUFSettings, export_ggufs, verification_conversations
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.core.run_paths import adapter_dir_in
from slm_recipes.hub.tokenizers import load_tokenizer


class MergeAdapter(L.Callback):
    """Merges the trained adapter into the base reloaded in 16/32-bit (never the 4-bit training base)."""

    def __init__(self, output_dir: str, dtype: str = "auto", generation: GenerationSettings | None = None) -> None:
        self.output_dir = output_dir
        self.dtype = dtype
        self.generation = generation or GenerationSettings()

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        state = pl_module.adapter_state()  # on every rank: FSDP gathers the shards
        if not trainer.is_global_zero:
            return
        model_name = pl_module.hparams.model_name
        with tempfile.TemporaryDirectory() as scratch:
            adapter = adapter_dir_in(scratch)
            pl_module.save_adapter(adapter, state)
            merged = merge_adapter_dir(model_name, adapter, self.dtype)
        save_merged(merged, load_tokenizer(model_name), self.generation, self.output_dir)
        rank_zero_info(f"merged model: {self.output_dir}")


class GGUFExport(L.Callback):
    """Writes the GGUF types of the recipe from the merged folder, verifies each and writes Ollama Modelfiles.

    Runs after MergeAdapter (callbacks run in list order)."""

    def __init__(self, types: list[str], settings: GGUFSettings, generation: GenerationSettings | None = None) -> None:
        self.types = types
        self.settings = settings
        self.generation = generation or GenerationSettings()

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if not trainer.is_global_zero or not self.types:
            return
        hparams = trainer.datamodule.hparams if trainer.datamodule is not None else {}
        system_prompt = hparams.get("system_prompt")
        conversations = verification_conversations(system_prompt, hparams.get("eval_file"), self.settings.verify_prompts)
        export_ggufs(self.settings.paths.merged_dir, self.types, self.settings, load_tokenizer(pl_module.hparams.model_name),
                     self.generation, system_prompt, conversations)
