"""The model a command talks to: the artefact named with --adapter / --merged / --gguf, or the recipe's own.

`slm eval`, `slm chat` and `slm predict` share these, so each finds and loads a trained model the
same way: an adapter over the recipe's base model, a merged Hugging Face folder, or a GGUF file
(dequantized by transformers).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import PreTrainedTokenizerBase

from slm_recipes.errors import RecipeError
from slm_recipes.evaluation.generation import GenerationSettings
from slm_recipes.export.paths import merged_dir, run_adapter_dir
from slm_recipes.model_source import resolve_model
from slm_recipes.recipe_cli import load_recipe
from slm_recipes.tokenizers import load_tokenizer

FLAGS = ("--adapter", "--merged", "--gguf")
NAME_ONE = "pass --adapter DIR, --merged DIR or --gguf FILE"


def split_artefact(argv: list[str]) -> tuple[tuple[str, Path] | None, list[str]]:
    """((kind, path) of the one artefact flag given, or None) and the rest of `argv` (the recipe's arguments)."""
    found: list[tuple[str, Path]] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        flag, _, value = argv[i].partition("=")
        if flag not in FLAGS:
            rest.append(argv[i])
            i += 1
            continue
        if not value:
            if i + 1 >= len(argv) or argv[i + 1].startswith("--"):
                raise RecipeError(f"{flag} needs a path; {NAME_ONE}")
            value = argv[i + 1]
            i += 1
        found.append((flag.lstrip("-"), Path(value)))
        i += 1
    if len(found) > 1:
        raise RecipeError(f"name exactly one artefact, not {len(found)}; {NAME_ONE}")
    return (found[0] if found else None), rest


def default_artefact(config: Any) -> tuple[str, Path]:
    """The recipe's own model when none is named: its merged folder if exported, else its run's adapter."""
    merged, adapter = merged_dir(config), run_adapter_dir(config)
    if (merged / "config.json").is_file():
        return "merged", merged
    if adapter.is_dir():
        return "adapter", adapter
    raise RecipeError(f"no trained model for this recipe (neither {merged} nor {adapter} exists); "
                      f"run `slm fit --config R` first, or {NAME_ONE}")


def load_artefact(kind: str, path: Path, base_model: str) -> torch.nn.Module:
    """Base + adapter, a merged Hugging Face folder, or a GGUF file (dequantized), in eval mode."""
    from transformers import AutoModelForCausalLM

    if not path.exists():
        raise RecipeError(f"{path} does not exist; {NAME_ONE}")
    if kind == "adapter":
        from peft import PeftModel

        if not (path / "adapter_config.json").is_file():
            raise RecipeError(f"{path} is not a PEFT adapter folder (no adapter_config.json); {NAME_ONE}")
        model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(resolve_model(base_model)), str(path))
    elif kind == "merged":
        if not (path / "config.json").is_file():
            raise RecipeError(f"{path} is not a Hugging Face model folder (no config.json); {NAME_ONE}")
        model = AutoModelForCausalLM.from_pretrained(str(path))
    else:
        if not path.is_file():
            raise RecipeError(f"{path} is not a GGUF file; {NAME_ONE}")
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name)
    return model.eval()


def inference_device() -> torch.device:
    """Where chat and predict generate: the GPU when there is one."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class RecipeModel:
    """A loaded artefact with what the recipe says about talking to it (chat template, system prompt, settings)."""

    model: torch.nn.Module
    tokenizer: PreTrainedTokenizerBase  # the training tokenizer and its chat template
    settings: GenerationSettings  # the recipe's `generation:` section
    system_prompt: str | None
    kind: str
    path: Path
    base_model: str

    def describe(self) -> str:
        s = self.settings
        sampling = "greedy" if s.temperature <= 0 else f"temperature {s.temperature}, top_p {s.top_p}"
        system_prompt = self.system_prompt or "(none: the chat template's default)"
        return (f"model: {self.kind} {self.path} (base {self.base_model}, on {next(self.model.parameters()).device})\n"
                f"generation: {sampling}, repetition_penalty {s.repetition_penalty}, "
                f"max_new_tokens {s.max_new_tokens}, batch_size {s.batch_size}\n"
                f"system prompt: {system_prompt}")


def open_recipe_model(argv: list[str]) -> RecipeModel:
    """Parse the recipe in `argv`, find its artefact (named, else the default) and load it with its tokenizer."""
    named, rest = split_artefact(argv)
    cli = load_recipe(rest)
    kind, path = named or default_artefact(cli.config)
    base_model = cli.model.hparams.model_name
    model = load_artefact(kind, path, base_model).to(inference_device())
    return RecipeModel(model=model, tokenizer=load_tokenizer(base_model), settings=cli.config_init.generation,
                       system_prompt=cli.datamodule.hparams.system_prompt, kind=kind, path=path, base_model=base_model)
