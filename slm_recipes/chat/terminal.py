"""A multi-turn chat with a trained model in the terminal (`slm chat`), streamed token by token.

Reads lines from stdin (a terminal or a pipe); `/reset` starts a new conversation, `/exit` or
end of input ends. Every answer is `generate_answers` on the whole conversation so far, with the
recipe's system prompt first and its generation settings, so it is what `slm predict` would say.
"""

from __future__ import annotations

import sys

import torch
from transformers import PreTrainedTokenizerBase, TextStreamer

from slm_recipes.chat.predict import MAX_QUESTION_CHARS
from slm_recipes.datamodules.chat_encoding import with_system_prompt
from slm_recipes.generation.answers import answer_questions
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.retrieval.open_book import OpenBook

USER, MODEL = "you> ", "model> "


class _Printer(TextStreamer):
    """Prints the answer's text as it is generated, without the prompt, special tokens or leading blanks."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        super().__init__(tokenizer, skip_prompt=True, skip_special_tokens=True)
        self.started = False

    def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
        if not self.started:
            text = text.lstrip()
            self.started = bool(text)
        print(text, end="\n" if stream_end else "", flush=True)


def chat(model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, settings: GenerationSettings,
         system_prompt: str | None, open_book: OpenBook | None = None) -> None:
    """The read-answer loop over stdin, until /exit or end of input; open-book answers name their source."""
    turns: list[dict[str, str]] = []
    answered = 0
    while (line := _read_line()) is not None:
        text = line.strip()
        if text == "/exit":
            break
        if text == "/reset":
            turns = []
            print("(new conversation)")
            continue
        if not text:
            continue
        if len(text) > MAX_QUESTION_CHARS:
            print(f"(the question is {len(text)} characters long; at most {MAX_QUESTION_CHARS} are answered)")
            continue
        turns.append({"role": "user", "content": text})
        print(MODEL, end="", flush=True)
        try:
            answer = answer_questions(model, tokenizer, [with_system_prompt(turns, system_prompt)], settings, open_book,
                                      seed=answered, streamer=_Printer(tokenizer))[0]
        except KeyboardInterrupt:
            turns.pop()
            print("\n(interrupted; the question is dropped)")
            continue
        answered += 1
        turns.append({"role": "assistant", "content": answer.text})
        if not answer.ended:
            print(f"(cut at max_new_tokens {settings.max_new_tokens})")
        if answer.passages:
            cited = answer.cited or answer.passages[0]
            print(f"source: {cited.source}: {_excerpt(cited.text)}")


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _read_line() -> str | None:
    """The next user line, or None at end of input (or Ctrl-C at the prompt)."""
    try:
        if sys.stdin.isatty():
            return input(USER)
        print(USER, end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            print()
            return None
        print(line.rstrip("\n"))  # echo it, so a piped session reads like a terminal one
        return line
    except (EOFError, KeyboardInterrupt):
        print()
        return None
