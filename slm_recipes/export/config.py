"""The `export:` section of a recipe: what `slm fit` writes after training and `slm export` writes on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from slm_recipes.core.errors import RecipeError

#: Written unquantized; verified to agree with the merged model on every next token but near-ties.
FLOAT_TYPES = ("f32", "f16", "bf16")
#: Written by the `gguf` package, one tensor at a time.
WRITTEN_TYPES = (*FLOAT_TYPES, "q8_0", "q5_0", "q5_1", "q4_0", "q4_1")
#: Made by llama.cpp's own quantizer (the optional llama-cpp-python binding) from an f16 file.
K_QUANTS = ("q4_k_m", "q5_k_m", "q6_k")
ALL_TYPES = (*WRITTEN_TYPES, *K_QUANTS)
MergeDtype = Literal["auto", "float32", "bfloat16", "float16"]


@dataclass(frozen=True)
class ExportConfig:
    """The artefacts a user ships: a merged Hugging Face folder, GGUF files and an Ollama Modelfile.

    Args:
        output_dir: Where `merged/`, the GGUF files, the Modelfiles and the `eval/` reports go; default exports/<name>.
        merge_after_fit: Merge the adapter into the base model at the end of `slm fit` (and write `gguf`).
        merge_dtype: Precision the base is reloaded in for merging: auto = the model's own 16-bit dtype
            (bfloat16 for Qwen2.5), float32 when it has none. Never 4-bit, whatever training used.
        gguf: GGUF types written after fit and by `slm export`: f32, f16, bf16, q8_0, q5_0, q5_1, q4_0, q4_1
            (written by the `gguf` package); q4_k_m, q5_k_m, q6_k (llama.cpp's quantizer, needs
            `pip install llama-cpp-python`). `slm export --gguf q8_0,q4_k_m` sets it for one run.
        verify: Check every GGUF against the merged model after writing it; a failed check is an error
            (`slm export --no-verify` turns it off for one run).
        verify_prompts: Conversations compared (the recipe's evaluation questions first, then built-in ones).
        min_agreement: Share of greedy next tokens a q8_0 GGUF must agree on with the merged model;
            f32/f16/bf16 must agree on all of them (near-ties aside).
        pre_tokenizer: llama.cpp pre-tokenizer name; default: recognised from the tokenizer (qwen2, smollm).
        modelfile: Write an Ollama `Modelfile` next to each GGUF.
    """

    output_dir: str | None = None
    merge_after_fit: bool = True
    merge_dtype: MergeDtype = "auto"
    gguf: list[str] = field(default_factory=list)
    verify: bool = True
    verify_prompts: int = 8
    min_agreement: float = 0.98
    pre_tokenizer: str | None = None
    modelfile: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "gguf", list(dict.fromkeys(t.strip().lower() for t in self.gguf or [])))
        unknown = [t for t in self.gguf if t not in ALL_TYPES]
        if unknown:
            raise RecipeError(f"unknown GGUF type {unknown[0]} in export.gguf; choose from {', '.join(ALL_TYPES)}")
        if self.verify_prompts < 1:
            raise RecipeError(f"export.verify_prompts must be at least 1, got {self.verify_prompts}")
        if not 0 < self.min_agreement <= 1:
            raise RecipeError(f"export.min_agreement must be a share in (0, 1], got {self.min_agreement}")
