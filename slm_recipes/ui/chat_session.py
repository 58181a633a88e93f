"""The page's chat: the recipe's model loaded once, answering the conversation as `slm chat` does, streamed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from transformers import TextIteratorStreamer

from slm_recipes.datamodules.chat_encoding import with_system_prompt
from slm_recipes.generation.answers import answer_questions
from slm_recipes.recipe.recipe import Recipe


class ChatSession:
    """One loaded artefact at a time (the recipe's own, or one named), shared by every tab of the page."""

    def __init__(self, recipe: Recipe) -> None:
        self.recipe = recipe
        self._loaded: Any = None
        self._key: tuple | None = None
        self._open_book: Any = None
        self._lock = threading.Lock()  # one answer at a time: they share the model

    def load(self, kind: str, path: str) -> str:
        """Load the artefact (`auto`: the run's merged model, else its adapter); a description of what was loaded."""
        from slm_recipes.assembly.answering import recipe_open_book
        from slm_recipes.assembly.artefacts import named_artefact, open_model

        named = None if kind == "auto" else named_artefact(**{kind: path})
        if self._key != (kind, path) or self._loaded is None:
            recipe = self.recipe
            self._loaded = open_model(recipe.paths, recipe.model_name, recipe.generation, recipe.system_prompt, named)
            self._open_book = recipe_open_book(recipe, self._loaded.tokenizer, False)
            self._key = (kind, path)
        return self._loaded.describe()

    def answer(self, turns: list[dict[str, str]], kind: str, path: str, temperature: float, max_new_tokens: int,
               open_book: bool) -> Iterator[tuple[str, str]]:
        """(text so far, sources line) while the answer is generated; the last pair is the whole answer."""
        with self._lock:
            self.load(kind, path)
            loaded = self._loaded
            settings = replace(loaded.settings, temperature=temperature, max_new_tokens=int(max_new_tokens))
            streamer = TextIteratorStreamer(loaded.tokenizer, skip_prompt=True, skip_special_tokens=True)
            result: list = []
            prompt = with_system_prompt(turns, loaded.system_prompt)
            book = self._open_book if open_book else None
            worker = threading.Thread(target=lambda: result.extend(
                answer_questions(loaded.model, loaded.tokenizer, [prompt], settings, book, streamer=streamer)))
            worker.start()
            text = ""
            for piece in streamer:
                text += piece
                yield text.strip(), ""
            worker.join()
            if not result:
                raise RuntimeError("generation failed; the app's log says why")
            answer = result[0]
            cited = answer.cited or (answer.passages[0] if answer.passages else None)
            yield answer.text, (f"source: {cited.source}: {cited.text}" if cited else "")
