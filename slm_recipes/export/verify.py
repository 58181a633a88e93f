"""Check a written GGUF against the merged model it came from, and fail loudly when it differs.

A GGUF can load and still answer badly: a wrong pre-tokenizer splits numbers differently, a
missing chat template makes llama.cpp or Ollama use another one, a quantized layer drifts.
Every export is therefore read back and compared with the merged model on real conversations:
the bytes (checksum), the tensors and metadata, the tokenizer and chat template as transformers
rebuilds them from the file, next-token choices under transformers' GGUF loader and, when
llama.cpp's Python binding is installed, under llama.cpp itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import gguf
import numpy as np
import torch
from transformers import AutoConfig, AutoTokenizer, PreTrainedTokenizerBase

from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_paths import checksum_file
from slm_recipes.export.config import FLOAT_TYPES
from slm_recipes.export.write_gguf import (
    ARCHITECTURES,
    GGUF_TYPES,
    file_sha256,
    plan_tensors,
    tensor_sources,
)

if TYPE_CHECKING:
    from transformers import PreTrainedModel

# A disagreement is excused where the GGUF's choice is within this many logits of the merged model's best
# (the merged model itself was nearly undecided): float types must agree everywhere else.
TIE_MARGIN = {"f32": 1e-3, "f16": 0.1, "bf16": 0.5}
# Quantized types: the share agreeing, a near-tie within 0.1 logit counting as agreement, must reach the floor.
QUANTIZED_TIE_MARGIN = 0.1
# llama.cpp also quantizes activations in quantized matmuls: its greedy path may leave at wider near-ties.
LLAMA_CPP_TIE_MARGIN = 1.0
GENERATED_TOKENS = 16
LLAMA_CPP_FLOOR = 0.9  # teacher-forced agreement below this under llama.cpp means a broken file, not rounding


@dataclass(frozen=True)
class VerificationSamples:
    """What a GGUF is checked on: conversations (their next tokens are compared) and texts its tokenizer must split
    as training did; the recipe's own first (`export.pipeline.verification_samples`)."""

    conversations: list[list[dict[str, str]]]
    texts: list[str]


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class VerifyReport:
    path: Path
    gguf_type: str
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, passed: bool, detail: str) -> None:
        self.checks.append(Check(name, bool(passed), detail))

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def summary(self) -> str:
        return "; ".join(f"{c.name}: {'ok' if c.passed else 'FAILED'} ({c.detail})" for c in self.checks)


def verify_gguf(path: str | Path, merged_dir: str | Path, gguf_type: str, samples: VerificationSamples,
                min_agreement: float = 0.98) -> VerifyReport:
    """Run every check; raise RecipeError naming the file and the failed checks, else return the report."""
    path, merged_dir = Path(path), Path(merged_dir)
    report = VerifyReport(path, gguf_type)
    if not check_file(report, path, merged_dir):
        raise RecipeError(f"{path} failed verification: {report.summary()}; delete it and run `slm export` again")
    tokenizer = AutoTokenizer.from_pretrained(merged_dir)
    from transformers import AutoModelForCausalLM  # its import costs ~1 s; an unverified export never pays it

    merged = AutoModelForCausalLM.from_pretrained(merged_dir).eval()
    prompts = [render_ids(tokenizer, c) for c in samples.conversations]
    reference = [next_token_logits(merged, ids) for ids in prompts]
    check_tokenizer(report, path, tokenizer, samples)
    loaded = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=merged.dtype).eval()
    check_agreement(report, "transformers greedy tokens", reference, [next_token_logits(loaded, ids) for ids in prompts],
                    gguf_type, min_agreement)
    del loaded
    if llama_cpp_available():
        check_llama_cpp(report, path, merged, tokenizer, samples.texts, prompts, reference, gguf_type, min_agreement)
    if not report.passed:
        raise RecipeError(f"{path} failed verification: {report.summary()}")
    return report


def check_file(report: VerifyReport, path: Path, merged_dir: Path) -> bool:
    """Bytes, structure and metadata: the file is whole and holds what the merged model does."""
    if not path.is_file():
        report.add("file", False, "missing")
        return False
    sidecar = checksum_file(path)
    if sidecar.is_file():
        expected = sidecar.read_text().split()[0]
        report.add("checksum", file_sha256(path) == expected, f"sha256 against {sidecar.name}")
    try:
        reader = gguf.GGUFReader(path)
    except Exception as err:  # noqa: BLE001 (the reader raises whatever numpy or struct does on a damaged file)
        report.add("read back", False, f"unreadable: {type(err).__name__}: {err}")
        return False
    config = AutoConfig.from_pretrained(merged_dir)
    matrix_type = GGUF_TYPES[report.gguf_type][0] if report.gguf_type in GGUF_TYPES else None
    expected = {t.name: t for t in plan_tensors(tensor_sources(merged_dir), config, ARCHITECTURES[config.model_type],
                                                 matrix_type or gguf.GGMLQuantizationType.F32)}
    found = {t.name: t for t in reader.tensors}
    problems = [f"missing {n}" for n in expected if n not in found] + [f"unexpected {n}" for n in found if n not in expected]
    for name, t in found.items():
        if name in expected and tuple(int(d) for d in reversed(t.shape)) != expected[name].shape:
            problems.append(f"{name} has shape {list(t.shape)}")
        if matrix_type is not None and name in expected and t.tensor_type != expected[name].qtype:
            problems.append(f"{name} is {t.tensor_type.name}, not {expected[name].qtype.name}")
    tokens = reader.get_field("tokenizer.ggml.tokens")
    if tokens is None or len(tokens.data) != config.vocab_size:
        problems.append(f"token list has {0 if tokens is None else len(tokens.data)} entries, not {config.vocab_size}")
    if reader.get_field("tokenizer.chat_template") is None:
        problems.append("no chat template")
    report.add("read back", not problems, "; ".join(problems[:3]) or f"{len(found)} tensors, metadata complete")
    return report.passed


def check_tokenizer(report: VerifyReport, path: Path, tokenizer: PreTrainedTokenizerBase,
                    samples: VerificationSamples) -> None:
    """The tokenizer and chat template transformers rebuilds from the file match training's."""
    rebuilt = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    different = [s for s in samples.texts if rebuilt(s)["input_ids"] != tokenizer(s)["input_ids"]]
    report.add("tokenizer", not different, f"{len(samples.texts)} samples"
               + (f"; differs on {different[0][:20]}…" if different else ""))
    conversation = samples.conversations[0]
    same = all(rebuilt.apply_chat_template(conversation, tokenize=False, add_generation_prompt=g)
               == tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=g) for g in (False, True))
    report.add("chat template", same, "renders a conversation identically" if same else "renders differently")


def render_ids(tokenizer: PreTrainedTokenizerBase, conversation: list[dict[str, str]]) -> list[int]:
    text = tokenizer.apply_chat_template(conversation, tokenize=False)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


@torch.no_grad()
def next_token_logits(model: PreTrainedModel, ids: list[int]) -> torch.Tensor:
    return model(torch.tensor([ids])).logits[0].float()


def agreement(reference: list[torch.Tensor], other: list[torch.Tensor], margin: float) -> tuple[float, float]:
    """(share of positions with the same greedy token, share where the other's choice is within `margin` of the best)."""
    same = close = total = 0
    for ref, out in zip(reference, other):
        chosen = out.argmax(-1)
        best = ref.max(-1).values
        same += int((chosen == ref.argmax(-1)).sum())
        close += int((ref.gather(-1, chosen[:, None])[:, 0] >= best - margin).sum())
        total += ref.shape[0]
    return same / total, close / total


def check_agreement(report: VerifyReport, name: str, reference: list[torch.Tensor], other: list[torch.Tensor],
                    gguf_type: str, min_agreement: float) -> None:
    if gguf_type in FLOAT_TYPES:
        same, close = agreement(reference, other, TIE_MARGIN[gguf_type])
        report.add(name, close == 1.0, f"{same:.1%} identical, every other position a near-tie"
                   if close == 1.0 else f"{same:.1%} identical, {1 - close:.1%} clear disagreements")
    else:
        same, close = agreement(reference, other, QUANTIZED_TIE_MARGIN)
        report.add(name, close >= min_agreement, f"{same:.1%} of next tokens identical, {close:.1%} with near-ties "
                   f"(at least {min_agreement:.0%} needed)")


def llama_cpp_available() -> bool:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


def check_llama_cpp(report: VerifyReport, path: Path, merged: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
                    texts: list[str], prompts: list[list[int]], reference: list[torch.Tensor], gguf_type: str, min_agreement: float) -> None:
    """Load the file in llama.cpp: its tokenizer, its next-token choices and its greedy generation.

    llama.cpp computes differently (quantized types also quantize activations), so its floor sits below the
    transformers check's; f32/f16/bf16 and q8_0 must generate no token the merged model clearly rejects.
    """
    import llama_cpp

    llm = llama_cpp.Llama(str(path), n_ctx=max(len(p) for p in prompts) + GENERATED_TOKENS + 8, logits_all=True,
                          verbose=False, seed=0)
    different = [s for s in texts
                 if llm.tokenize(s.encode(), add_bos=True, special=True) != tokenizer(s)["input_ids"]]
    report.add("llama.cpp tokenizer", not different, f"{len(texts)} samples"
               + (f"; differs on {different[0][:20]}…" if different else ""))
    scores = []
    for ids in prompts:
        llm.reset()
        llm.eval(ids)
        scores.append(torch.from_numpy(np.array(llm.scores[: len(ids)], dtype=np.float32)))
    same, _ = agreement(reference, scores, 0.0)
    floor = min(LLAMA_CPP_FLOOR, (1.0 if gguf_type in FLOAT_TYPES else min_agreement) - 0.1)
    accepted = generated = 0
    for ids in prompts:
        prompt = ids[: max(1, len(ids) // 2)]  # continue mid-answer, where the numbers are
        theirs = []
        for token in llm.generate(prompt, top_k=1, top_p=1.0, temp=0.0, repeat_penalty=1.0, reset=True):
            theirs.append(token)
            if len(theirs) == GENERATED_TOKENS:
                break
        accepted += accepted_tokens(merged, prompt, theirs, LLAMA_CPP_TIE_MARGIN)
        generated += len(theirs)
    share = accepted / max(generated, 1)
    needed = 1.0 if gguf_type in (*FLOAT_TYPES, "q8_0") else floor
    report.add("llama.cpp greedy tokens", same >= floor and share >= needed,
               f"{same:.1%} of next tokens agree (at least {floor:.0%}); of {generated} greedily generated tokens "
               f"{share:.1%} are the merged model's choice or within {LLAMA_CPP_TIE_MARGIN:g} logit of it "
               f"(at least {needed:.0%})")


@torch.no_grad()
def accepted_tokens(model: PreTrainedModel, prompt: list[int], theirs: list[int], margin: float) -> int:
    """How many of `theirs` (a continuation of `prompt`) the merged model would also pick, near-ties allowed."""
    if not theirs:
        return 0
    logits = next_token_logits(model, prompt + theirs)[len(prompt) - 1: len(prompt) - 1 + len(theirs)]
    chosen = logits.gather(-1, torch.tensor(theirs)[:, None])[:, 0]
    return int((chosen >= logits.max(-1).values - margin).sum())
