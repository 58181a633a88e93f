"""The tokenizer as llama.cpp reads it from GGUF metadata: tokens, types, merges, pre-tokenizer, special ids.

llama.cpp re-implements each tokenizer family's pre-tokenizer (the regex that splits text before
BPE) and picks it by name; a wrong name gives a model that loads but reads numbers differently
from training. The name is recognised from the tokenizer itself, and the verification compares
encodings after writing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import gguf
from transformers import PreTrainedTokenizerBase
from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX as QWEN2_SPLIT

from slm_recipes.core.errors import RecipeError

SUPPORTED_PRE_TOKENIZERS = ("qwen2", "smollm")


@dataclass(frozen=True)
class GGUFVocab:
    tokens: list[str]
    types: list[int]
    merges: list[str]
    pre: str
    special_ids: dict[str, int]  # bos / eos / unk / pad -> id
    add_bos: bool
    add_eos: bool
    chat_template: str


def build_vocab(tokenizer: PreTrainedTokenizerBase, vocab_size: int, bos_fallback: int | None = None,
                pre: str | None = None) -> GGUFVocab:
    """Everything llama.cpp needs to tokenize exactly as `tokenizer` does, padded to the model's `vocab_size`."""
    backend = json.loads(tokenizer.backend_tokenizer.to_str())
    if backend["model"]["type"] != "BPE":
        raise RecipeError(f"GGUF export supports byte-level BPE tokenizers (Qwen2.5, SmolLM2); this one is {backend['model']['type']}")
    tokens, types = token_table(tokenizer, vocab_size)
    merges = [m if isinstance(m, str) else " ".join(m) for m in backend["model"].get("merges", [])]
    probe = tokenizer("a", add_special_tokens=True)["input_ids"]
    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else bos_fallback
    special = {"bos": bos, "eos": tokenizer.eos_token_id, "unk": tokenizer.unk_token_id, "pad": tokenizer.pad_token_id}
    template = tokenizer.chat_template
    if isinstance(template, dict):
        template = template.get("default") or next(iter(template.values()))
    return GGUFVocab(
        tokens=tokens, types=types, merges=merges, pre=pre or pre_tokenizer_name(tokenizer, backend),
        special_ids={k: v for k, v in special.items() if v is not None},
        add_bos=tokenizer.bos_token_id is not None and probe[:1] == [tokenizer.bos_token_id],
        add_eos=tokenizer.eos_token_id is not None and probe[-1:] == [tokenizer.eos_token_id] and len(probe) > 1,
        chat_template=template or "",
    )


def token_table(tokenizer: PreTrainedTokenizerBase, vocab_size: int) -> tuple[list[str], list[int]]:
    """Token strings by id and their types; ids the tokenizer lacks up to `vocab_size` become `[PAD<id>]` (unused)."""
    by_id = {i: t for t, i in tokenizer.get_vocab().items()}
    if by_id and max(by_id) >= vocab_size:
        raise RecipeError(f"the tokenizer has token id {max(by_id)} but the model only {vocab_size} embeddings")
    added = tokenizer.added_tokens_decoder
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        elif i in added:
            tokens.append(added[i].content)
            types.append(gguf.TokenType.CONTROL if added[i].special else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(by_id[i])
            types.append(gguf.TokenType.NORMAL)
    return tokens, [int(t) for t in types]


def pre_tokenizer_name(tokenizer: PreTrainedTokenizerBase, backend: dict) -> str:
    """`qwen2` for Qwen2/2.5 tokenizers; `smollm` for byte-level GPT-2 splitting whose numbers end up digit by digit."""
    if QWEN2_SPLIT in split_patterns(backend.get("pre_tokenizer")):
        return "qwen2"
    spec = json.dumps(backend.get("pre_tokenizer"))
    byte_level = '"ByteLevel"' in spec and '"use_regex": true' in spec
    digits_apart = '"individual_digits": true' in spec or not any(
        re.fullmatch(r"Ġ?\d{2,}|Ġ\d", token) for token in tokenizer.get_vocab())
    if byte_level and digits_apart:
        return "smollm"
    raise RecipeError("this tokenizer's pre-tokenizer is not one the GGUF export recognises "
                      f"({', '.join(SUPPORTED_PRE_TOKENIZERS)}); set export.pre_tokenizer to llama.cpp's name for it")


def split_patterns(node: object) -> list[str]:
    """Every regex a tokenizer.json pre-tokenizer (or a sequence of them) splits on."""
    if isinstance(node, list):
        return [p for item in node for p in split_patterns(item)]
    if not isinstance(node, dict):
        return []
    own = [node["pattern"]["Regex"]] if isinstance(node.get("pattern"), dict) and "Regex" in node["pattern"] else []
    return own + [p for value in node.values() if isinstance(value, (list, dict)) for p in split_patterns(value)]
