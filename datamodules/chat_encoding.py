"""Render a conversation with the tokenizer's own chat template and mark the tokens to train.

The trained spans come from the template itself, not from marker strings: for each assistant
turn we render the conversation up to that turn's generation prompt and up to the end of the
turn, and compare token ids with the full rendering. Whatever the template writes, the trained
tokens are the assistant's content plus the end-of-turn token that closes it (text the template
puts after that token, such as ChatML's newline, stays masked). Any template works.
"""

from __future__ import annotations

from dataclasses import dataclass

from transformers import PreTrainedTokenizerBase

IGNORE_INDEX = -100


@dataclass(frozen=True)
class EncodedChat:
    input_ids: list[int]
    labels: list[int]

    @property
    def trained_tokens(self) -> int:
        return sum(label != IGNORE_INDEX for label in self.labels)


def with_system_prompt(messages: list[dict[str, str]], system_prompt: str | None) -> list[dict[str, str]]:
    """Prepend the recipe's system prompt unless the conversation brings its own."""
    if not system_prompt or (messages and messages[0]["role"] == "system"):
        return messages
    return [{"role": "system", "content": system_prompt}, *messages]


def encode_chat(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]]) -> EncodedChat:
    """Token ids of the whole conversation and labels that train every assistant turn only."""
    full = _render_ids(tokenizer, messages, add_generation_prompt=False)
    labels = [IGNORE_INDEX] * len(full)
    special = _special_ids(tokenizer)
    for i, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        start = _common_prefix(_render_ids(tokenizer, messages[:i], add_generation_prompt=True), full)
        end = _common_prefix(_render_ids(tokenizer, messages[: i + 1], add_generation_prompt=False), full)
        end = _end_of_turn(full, start, end, special)
        labels[start:end] = full[start:end]
    return EncodedChat(input_ids=full, labels=labels)


def encode_prompt(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]]) -> list[int]:
    """Ids that ask the model for the next assistant turn: the generation prompt, as training saw it."""
    return _render_ids(tokenizer, messages, add_generation_prompt=True)


def _render_ids(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]], add_generation_prompt: bool) -> list[int]:
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def _special_ids(tokenizer: PreTrainedTokenizerBase) -> set[int]:
    ids = set(tokenizer.all_special_ids)
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return ids


def _end_of_turn(ids: list[int], start: int, end: int, special: set[int]) -> int:
    """Cut the turn just after its last special token (the end-of-turn token), if it has one."""
    for i in range(end - 1, start - 1, -1):
        if ids[i] in special:
            return i + 1
    return end
