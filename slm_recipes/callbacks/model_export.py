"""Ship the trained model at the end of fit: a merged Hugging Face folder, then the recipe's verified GGUF files."""

from __future__ import annotations

import tempfile

import lightning as L
from lightning.pytorch.utilities import rank_zero_info

from slm_recipes.core.run_paths import RunPaths, adapter_dir_in
from slm_recipes.export.config import ExportConfig
from slm_recipes.export.merge import merge_adapter_dir, save_merged
from slm_recipes.export.pipeline import ship, verification_samples
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.hub.tokenizers import load_tokenizer
from slm_recipes.text.lexicon import Lexicon


class ModelExport(L.Callback):
    """Merges the trained adapter into the base reloaded in 16/32-bit (never the 4-bit training base) into the run's
    merged folder, then ships it as `slm export` does (`export.pipeline.ship`)."""

    def __init__(self, config: ExportConfig, paths: RunPaths, generation: GenerationSettings, lexicon: Lexicon,
                 system_prompt: str | None = None, eval_file: str | None = None) -> None:
        """
        Args:
            config: The recipe's `export:` section (merge dtype, GGUF types, verification, Modelfiles).
            paths: Where the merged folder and the GGUF files go.
            generation: The `generation:` settings the merged model and the Modelfiles carry.
            lexicon: The recipe's lexicon (its neutral samples fill up the verification's own).
            system_prompt: The system prompt the Modelfiles and the verification conversations carry.
            eval_file: The recipe's evaluation questions, the first verification conversations.
        """
        self.config, self.paths, self.generation = config, paths, generation
        self.lexicon, self.system_prompt, self.eval_file = lexicon, system_prompt, eval_file

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        state = pl_module.adapter_state()  # on every rank: FSDP gathers the shards
        if not trainer.is_global_zero:
            return
        model_name = pl_module.hparams.model_name
        tokenizer = load_tokenizer(model_name)
        with tempfile.TemporaryDirectory() as scratch:
            adapter = adapter_dir_in(scratch)
            pl_module.save_adapter(adapter, state)
            merged = merge_adapter_dir(model_name, adapter, self.config.merge_dtype)
        save_merged(merged, tokenizer, self.generation, self.paths.merged_dir)
        del merged
        rank_zero_info(f"merged model: {self.paths.merged_dir}")
        samples = verification_samples(self.config.verify_prompts, self.system_prompt, self.eval_file, self.paths.chunks,
                                       self.lexicon)
        ship(self.paths.merged_dir, self.config, self.paths, tokenizer, self.generation, self.system_prompt, samples)
