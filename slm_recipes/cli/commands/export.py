"""`slm export`: merge the trained adapter and write the recipe's GGUF files, verified, with Ollama Modelfiles."""

from __future__ import annotations

from slm_recipes.core.errors import RecipeError
from slm_recipes.export.config import ALL_TYPES
from slm_recipes.recipe.recipe import Recipe


def export(recipe: Recipe, ckpt_path: str | None = None, adapter: str | None = None, merged: str | None = None) -> None:
    """Merge the adapter (16/32-bit base) and write verified GGUF files + Ollama Modelfile to exports/<name>/.

    The run's LoRA adapter (logs/<name>/<model>/adapter) is merged into its base model, reloaded in
    16/32-bit (never 4-bit), into exports/<name>/merged/ (`export.output_dir` moves it); then each type
    of `export.gguf` is written, verified against the merged model (`export.verify`) and given an Ollama
    Modelfile.

    Args:
        ckpt_path: A Lightning checkpoint of this recipe's run, or `last`, instead of the run's adapter.
        adapter: Another PEFT adapter folder to merge.
        merged: An already merged Hugging Face folder: skip merging, write the GGUF files only.
    """
    import time
    from pathlib import Path

    from slm_recipes.export.kquants import require_quantizer
    from slm_recipes.export.pipeline import ship, verification_samples
    from slm_recipes.hub.tokenizers import load_tokenizer
    from slm_recipes.text.lexicon import load_lexicon

    if sum(x is not None for x in (ckpt_path, adapter, merged)) > 1:
        raise RecipeError("give at most one of --ckpt_path, --adapter, --merged")
    paths, config = recipe.paths, recipe.export
    require_quantizer(config.gguf)  # before the merge, not after it
    tokenizer = load_tokenizer(recipe.model_name)
    started = time.perf_counter()
    if merged:
        merged_dir = Path(merged)
        if not (merged_dir / "config.json").is_file():
            raise RecipeError(f"{merged_dir} is not a Hugging Face model folder (no config.json)")
    else:
        from slm_recipes.export.merge import merge_adapter_dir, merge_checkpoint, save_merged  # the model classes: ~3 s

        merged_dir = paths.merged_dir
        if ckpt_path:
            ckpt = paths.checkpoint(ckpt_path)
            if not ckpt.is_file():
                raise RecipeError(f"checkpoint {ckpt} does not exist; run `slm fit --config R` first "
                                  "or give an existing --ckpt_path")
            print(f"merging {ckpt} into {recipe.model_name} ({config.merge_dtype}) ...", flush=True)
            model = merge_checkpoint(_checkpoint_hparams(ckpt), ckpt, config.merge_dtype)
        else:
            source = Path(adapter) if adapter else paths.adapter_dir
            print(f"merging {source} into {recipe.model_name} ({config.merge_dtype}) ...", flush=True)
            model = merge_adapter_dir(recipe.model_name, source, config.merge_dtype)
        save_merged(model, tokenizer, recipe.generation, merged_dir)
        del model
        print(f"merged model: {merged_dir}", flush=True)
    samples = verification_samples(config.verify_prompts, recipe.system_prompt, recipe.eval_file, paths.chunks,
                                   load_lexicon(recipe.lexicon))
    for path, _ in ship(merged_dir, config, paths, tokenizer, recipe.generation, recipe.system_prompt, samples):
        print(f"GGUF: {path} ({path.stat().st_size / 2**20:.1f} MiB)")
    print(f"export done in {time.perf_counter() - started:.0f} s: {paths.export_dir}")


def gguf_list(given: str) -> str:
    """`q8_0,q4_k_m` -> `[q8_0, q4_k_m]`, the value of export.gguf."""
    types = [t.strip().lower() for t in given.split(",") if t.strip()]
    unknown = [t for t in types if t not in ALL_TYPES]
    if unknown:
        raise RecipeError(f"unknown GGUF type {unknown[0]}; choose from {', '.join(ALL_TYPES)}")
    return "[" + ", ".join(types) + "]"


def _checkpoint_hparams(ckpt) -> dict:
    """The LoRA settings the checkpoint was trained with (Lightning keeps the module's hyperparameters in it)."""
    import torch

    hparams = torch.load(ckpt, map_location="cpu", weights_only=False).get("hyper_parameters") or {}
    missing = [k for k in ("model_name", "lora_r", "lora_alpha", "target_modules", "use_dora") if k not in hparams]
    if missing:
        raise RecipeError(f"{ckpt} lacks the module's settings ({', '.join(missing)}); give a checkpoint written by `slm fit`")
    return hparams
