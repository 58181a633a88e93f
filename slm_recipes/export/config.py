"""The `export:` section of a recipe: what `slm fit` writes after training and `slm export` writes on demand."""

from __future__ import annotations

from typing import Literal

from slm_recipes.gguf_types import GGUFType

MergeDtype = Literal["auto", "float32", "bfloat16", "float16"]


class ExportConfig:
    """Settings of merging and GGUF export; jsonargparse exposes each parameter as `export.<name>`."""

    def __init__(
        self,
        output_dir: str | None = None,
        merge_after_fit: bool = True,
        merge_dtype: MergeDtype = "auto",
        gguf: list[GGUFType] | None = None,
        verify: bool = True,
        verify_prompts: int = 8,
        min_agreement: float = 0.98,
        pre_tokenizer: str | None = None,
        modelfile: bool = True,
    ) -> None:
        """Describe the artefacts a user ships: a merged Hugging Face folder, GGUF files and an Ollama Modelfile.

        Args:
            output_dir: Where `merged/`, the GGUF files and the Modelfile go; default exports/<name>.
            merge_after_fit: Merge the adapter into the base model at the end of `slm fit` (the MergeAdapter callback).
            merge_dtype: Precision the base is reloaded in for merging: auto = the model's own 16-bit dtype
                (bfloat16 for Qwen2.5), float32 when it has none. Never 4-bit, whatever training used.
            gguf: GGUF types written after fit and by `slm export` (unless --gguf is given): f32, f16, bf16,
                q8_0, q5_0, q5_1, q4_0, q4_1 (written by the `gguf` package); q4_k_m, q5_k_m, q6_k
                (llama.cpp's quantizer, needs `pip install llama-cpp-python`).
            verify: Check every GGUF against the merged model after writing it; a failed check is an error.
            verify_prompts: Conversations compared (the recipe's evaluation questions first, then built-in ones).
            min_agreement: Share of greedy next tokens a quantized GGUF (q8_0 and below) must agree on with
                the merged model; f32/f16/bf16 must agree on all of them (near-ties aside).
            pre_tokenizer: llama.cpp pre-tokenizer name; default: recognised from the tokenizer (qwen2, smollm).
            modelfile: Write an Ollama `Modelfile` next to each GGUF.
        """
        self.output_dir = output_dir
        self.merge_after_fit = merge_after_fit
        self.merge_dtype = merge_dtype
        self.gguf = list(gguf or [])
        self.verify = verify
        self.verify_prompts = verify_prompts
        self.min_agreement = min_agreement
        self.pre_tokenizer = pre_tokenizer
        self.modelfile = modelfile
