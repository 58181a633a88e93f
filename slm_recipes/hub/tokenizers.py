"""Load a model's tokenizer once, ready for chat rendering and padding."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from transformers import AutoTokenizer, PreTrainedTokenizerBase

from slm_recipes.core.errors import RecipeError
from slm_recipes.hub.models import resolve_model


@lru_cache(maxsize=8)
def load_tokenizer(model_name: str) -> PreTrainedTokenizerBase:
    """The tokenizer whose chat template training, evaluation, chat and export all share."""
    tokenizer = AutoTokenizer.from_pretrained(resolve_model(model_name))
    if not tokenizer.chat_template:
        raise RecipeError(f"the tokenizer of {model_name} has no chat template; use an instruct/chat model")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def token_counter(model_name: str) -> Callable[[str], int]:
    """Tokens a text costs with `model_name`'s tokenizer (no special tokens): the ingest chunk budget."""
    tokenizer = load_tokenizer(model_name)
    return lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])


#: The files that make a tokenizer: a change to any of them changes token counts and chunk boundaries.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "tokenizer.model",
                   "special_tokens_map.json", "added_tokens.json")


def tokenizer_files(model_name: str) -> list[Path]:
    """The tokenizer files of `model_name`'s local folder (none when it would come from the hub)."""
    folder = Path(resolve_model(model_name))
    return [folder / name for name in TOKENIZER_FILES if (folder / name).is_file()]
