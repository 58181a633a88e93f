"""From a merged folder to shipped files (`ship`): each GGUF type written, verified, and given an Ollama Modelfile.

`slm export` and the export at the end of `slm fit` both call `ship`, with the recipe's `export:` section.
"""

from __future__ import annotations

import os
from pathlib import Path

from transformers import PreTrainedTokenizerBase

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import RunPaths, checksum_file, float_source_file, rejected_file
from slm_recipes.datamodules.chat_encoding import with_system_prompt
from slm_recipes.datamodules.questions import load_chunks, load_questions
from slm_recipes.export.config import K_QUANTS, ExportConfig
from slm_recipes.export.kquants import quantize_with_llama_cpp, require_quantizer
from slm_recipes.export.modelfile import write_modelfile
from slm_recipes.export.verify import VerificationSamples, VerifyReport, verify_gguf
from slm_recipes.export.write_gguf import file_sha256, write_checksum, write_gguf
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.text.lexicon import Lexicon

# Floors for types below q8_0 (q8_0 uses the recipe's export.min_agreement): the demo's measured agreement
# (benchmarks/RESULTS.md, "Agreement by GGUF type") less a margin. They catch a broken file (a wrong layout
# agrees on a few percent), not quality loss, which `slm eval --gguf` measures on the recipe's questions.
LOWER_BIT_AGREEMENT = {"q6_k": 0.85, "q5_k_m": 0.65, "q5_0": 0.7, "q5_1": 0.55, "q4_k_m": 0.7, "q4_0": 0.5, "q4_1": 0.4}


CHUNK_SAMPLES = 4  # of the recipe's passages, for the tokenizer and as conversations
SAMPLE_CHARS = 240


def verification_samples(count: int, system_prompt: str | None, eval_file: str | None, chunks_file: Path,
                         lexicon: Lexicon) -> VerificationSamples:
    """The recipe's own evaluation questions with their reference answers first, then its passages (the first half
    of a chunk asked, the rest answered), then the lexicon's neutral conversations; `count` conversations in all.
    The tokenizer is checked on the passages and on the lexicon's texts."""
    own = []
    if eval_file and Path(eval_file).is_file():
        own = [[*q.prompt, {"role": "assistant", "content": q.reference}] for q in load_questions(eval_file, system_prompt, limit=count)]
    texts = [c[:SAMPLE_CHARS] for c in list(load_chunks(chunks_file).values())[:CHUNK_SAMPLES]] if chunks_file.is_file() else []
    passages = [with_system_prompt([{"role": "user", "content": text[: len(text) // 2]},
                                    {"role": "assistant", "content": text[len(text) // 2:]}], system_prompt)
                for text in texts if len(text) >= 2]
    built_in = [with_system_prompt(list(c), system_prompt) for c in lexicon.sample_conversations]
    return VerificationSamples((own + passages + built_in)[: max(count, 1)], [*texts, *lexicon.tokenizer_samples])


def ship(merged_dir: Path, config: ExportConfig, paths: RunPaths, tokenizer: PreTrainedTokenizerBase,
         generation: GenerationSettings, system_prompt: str | None,
         samples: VerificationSamples) -> list[tuple[Path, VerifyReport | None]]:
    """Each type of `export.gguf` from the merged folder: written with its checksum, verified against the merged
    model (`export.verify`) and given an Ollama Modelfile; a failed verification moves the file aside and stops."""
    require_quantizer(config.gguf)
    done = []
    for n, gguf_type in enumerate(config.gguf):
        path = paths.gguf_file(gguf_type)
        print(f"writing {path} ...", flush=True)
        write_one(merged_dir, path, gguf_type, paths.name, config.pre_tokenizer)
        report = None
        if config.verify:
            print(f"verifying {path.name} against {merged_dir} ...", flush=True)
            minimum = config.min_agreement if gguf_type == "q8_0" else LOWER_BIT_AGREEMENT.get(gguf_type, 1.0)
            try:
                report = verify_gguf(path, merged_dir, gguf_type, samples, minimum)
            except RecipeError:
                reject(path)
                raise
            print(f"verified {path.name}: {report.summary()}", flush=True)
        if config.modelfile:
            for modelfile in [paths.modelfile(gguf_type)] + ([paths.modelfile()] if n == 0 else []):
                write_modelfile(modelfile, path.name, tokenizer, generation, system_prompt)
        done.append((path, report))
    return done


def write_one(merged_dir: Path, path: Path, gguf_type: str, name: str, pre_tokenizer: str | None) -> Path:
    if gguf_type not in K_QUANTS:
        return write_gguf(merged_dir, path, gguf_type, name, pre_tokenizer)
    source = float_source_file(path)
    try:
        write_gguf(merged_dir, source, "f16", name, pre_tokenizer)
        quantize_with_llama_cpp(source, path, gguf_type)
    finally:
        source.unlink(missing_ok=True)
        checksum_file(source).unlink(missing_ok=True)
    write_checksum(path, file_sha256(path))
    return path


def reject(path: Path) -> None:
    """Move a file that failed verification out of the way, so nobody ships it by mistake."""
    if path.exists():
        os.replace(path, rejected_file(path))
    checksum_file(path).unlink(missing_ok=True)
