"""`slm export`: merge the trained adapter and write the recipe's GGUF files, verified, with Ollama Modelfiles."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from slm_recipes.errors import RecipeError
from slm_recipes.export.merge import merge_adapter_dir, merge_checkpoint, save_merged
from slm_recipes.export.paths import export_dir, merged_dir, run_adapter_dir, run_dir
from slm_recipes.export.pipeline import export_ggufs, gguf_settings, verification_conversations
from slm_recipes.gguf_types import ALL_TYPES
from slm_recipes.recipe_cli import load_recipe
from slm_recipes.tokenizers import load_tokenizer

USAGE = ("usage: slm export --config R [--ckpt_path CKPT|last | --adapter DIR | --merged DIR] "
         "[--gguf TYPE[,TYPE...]] [--no-verify]")


def parse_flags(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="slm export", usage=USAGE, description=(
        "Merge the run's LoRA adapter into its base model (reloaded in 16/32-bit, never 4-bit) into "
        "exports/<name>/merged/, then write each GGUF type, verify it against the merged model and write an "
        "Ollama Modelfile. Without --ckpt_path/--adapter/--merged the run's adapter (logs/<name>/<model>/adapter) is used."))
    parser.add_argument("--ckpt_path", help="a Lightning checkpoint of this recipe's run, or `last`")
    parser.add_argument("--adapter", help="a PEFT adapter folder")
    parser.add_argument("--merged", help="an already merged Hugging Face folder: skip merging, write GGUF only")
    parser.add_argument("--gguf", help=f"GGUF types, comma-separated, instead of the recipe's export.gguf ({', '.join(ALL_TYPES)})")
    parser.add_argument("--no-verify", action="store_true", help="skip the verification (not recommended)")
    flags, rest = parser.parse_known_args(argv)
    if sum(x is not None for x in (flags.ckpt_path, flags.adapter, flags.merged)) > 1:
        raise RecipeError(f"give at most one of --ckpt_path, --adapter, --merged; {USAGE}")
    return flags, rest


def gguf_types(flag: str | None, recipe: list[str]) -> list[str]:
    types = [t.strip().lower() for t in flag.split(",") if t.strip()] if flag else list(recipe)
    unknown = [t for t in types if t not in ALL_TYPES]
    if unknown:
        raise RecipeError(f"unknown GGUF type {unknown[0]}; choose from {', '.join(ALL_TYPES)}")
    return types


def export_command(argv: list[str]) -> None:
    flags, rest = parse_flags(argv)
    cli = load_recipe(rest)
    config, hparams = cli.config, cli.model.hparams
    types = gguf_types(flags.gguf, config.export.gguf)
    tokenizer = load_tokenizer(hparams.model_name)
    generation = cli.config_init.generation
    started = time.perf_counter()
    if flags.merged:
        merged = Path(flags.merged)
        if not (merged / "config.json").is_file():
            raise RecipeError(f"{merged} is not a Hugging Face model folder (no config.json)")
    else:
        merged = merged_dir(config)
        if flags.ckpt_path:
            ckpt = checkpoint_path(flags.ckpt_path, config)
            print(f"merging {ckpt} into {hparams.model_name} ({config.export.merge_dtype}) ...", flush=True)
            model = merge_checkpoint(hparams, ckpt, config.export.merge_dtype)
        else:
            adapter = Path(flags.adapter) if flags.adapter else run_adapter_dir(config)
            print(f"merging {adapter} into {hparams.model_name} ({config.export.merge_dtype}) ...", flush=True)
            model = merge_adapter_dir(hparams.model_name, adapter, config.export.merge_dtype)
        save_merged(model, tokenizer, generation, merged)
        del model
        print(f"merged model: {merged}", flush=True)
    system_prompt = cli.datamodule.hparams.get("system_prompt")
    settings = gguf_settings(config, verify=not flags.no_verify)
    conversations = verification_conversations(system_prompt, cli.datamodule.hparams.get("eval_file"), settings.verify_prompts)
    for path, _ in export_ggufs(merged, types, settings, tokenizer, generation, system_prompt, conversations):
        print(f"GGUF: {path} ({path.stat().st_size / 2**20:.1f} MiB)")
    print(f"export done in {time.perf_counter() - started:.0f} s: {export_dir(config)}")


def checkpoint_path(given: str, config) -> Path:
    path = run_dir(config) / "checkpoints" / "last.ckpt" if given == "last" else Path(given)
    if not path.is_file():
        raise RecipeError(f"checkpoint {path} does not exist; run `slm fit --config R` first or give an existing --ckpt_path")
    return path
