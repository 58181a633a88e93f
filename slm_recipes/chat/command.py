"""`slm chat`: an interactive, multi-turn terminal chat with a trained model, streamed token by token.

Reads lines from stdin (a terminal or a pipe); `/reset` starts a new conversation, `/exit` or
end of input ends. Every answer is `generate_answers` on the whole conversation so far, with the
recipe's system prompt first and its generation settings, so it is what `slm predict` would say.
"""

from __future__ import annotations

import sys

from transformers import PreTrainedTokenizerBase, TextStreamer

from datamodules.chat_encoding import with_system_prompt
from slm_recipes.artefacts import RecipeModel, open_recipe_model
from slm_recipes.evaluation.generation import generate_answers

USER, MODEL = "you> ", "model> "
USAGE = """usage: slm chat --config R [--adapter DIR | --merged DIR | --gguf FILE] [--generation.KEY VALUE ...]

Chat with the recipe's model in the terminal. Without an artefact flag: exports/<name>/merged if
`slm fit` (or `slm export`) merged it, else the run's adapter logs/<name>/<model>/adapter.
Answers use the recipe's system prompt and `generation:` settings; override one for this session
with e.g. --generation.temperature 0.7 or --generation.max_new_tokens 512.
Type /reset to start a new conversation, /exit (or Ctrl-D) to end. Lines may also come from a pipe."""


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


def chat_command(argv: list[str]) -> None:
    if any(arg in ("-h", "--help") for arg in argv):
        print(USAGE)
        return
    session = open_recipe_model(argv)
    print(session.describe())
    print("/reset starts a new conversation, /exit (or Ctrl-D) ends.")
    chat(session)


def chat(session: RecipeModel) -> None:
    """The read-answer loop over stdin, until /exit or end of input."""
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
        turns.append({"role": "user", "content": text})
        print(MODEL, end="", flush=True)
        try:
            answer = generate_answers(session.model, session.tokenizer,
                                      [with_system_prompt(turns, session.system_prompt)], session.settings,
                                      seed=answered, streamer=_Printer(session.tokenizer))[0]
        except KeyboardInterrupt:
            turns.pop()
            print("\n(interrupted; the question is dropped)")
            continue
        answered += 1
        turns.append({"role": "assistant", "content": answer.text})
        if not answer.ended:
            print(f"(cut at max_new_tokens {session.settings.max_new_tokens})")


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
