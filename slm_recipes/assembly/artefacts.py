"""The model a command talks to: the artefact named with --adapter / --merged / --gguf, or the run's own.

`slm eval`, `slm chat` and `slm predict` share these, so each finds and loads a trained model the
same way: an adapter over the recipe's base model, a merged Hugging Face folder, or a GGUF file
(dequantized by transformers).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import PreTrainedTokenizerBase

from slm_recipes.core.devices import best_device
from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.hub.models import resolve_model
from slm_recipes.hub.tokenizers import load_tokenizer

KINDS = ("adapter", "merged", "gguf")
NAME_ONE = "pass --adapter DIR, --merged DIR or --gguf FILE"


def named_artefact(adapter: str | None = None, merged: str | None = None, gguf: str | None = None) -> tuple[str, Path] | None:
    """(kind, path) of the one artefact named, None when none is; naming several is an error."""
    named = [(kind, Path(path)) for kind, path in zip(KINDS, (adapter, merged, gguf)) if path]
    if len(named) > 1:
        raise RecipeError(f"name exactly one artefact, not {len(named)}; {NAME_ONE}")
    return named[0] if named else None


def default_artefact(paths: RunPaths) -> tuple[str, Path]:
    """The run's own model when none is named: its merged folder if exported, else its adapter."""
    merged, adapter = paths.merged_dir, paths.adapter_dir
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


@dataclass
class LoadedModel:
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


def open_model(paths: RunPaths, base_model: str, settings: GenerationSettings, system_prompt: str | None,
               named: tuple[str, Path] | None = None) -> LoadedModel:
    """Find the artefact (named, else the run's own) and load it with the training tokenizer."""
    kind, path = named or default_artefact(paths)
    model = load_artefact(kind, path, base_model).to(best_device())
    return LoadedModel(model=model, tokenizer=load_tokenizer(base_model), settings=settings,
                       system_prompt=system_prompt, kind=kind, path=path, base_model=base_model)
