"""What the server does with a chat request before and after the batcher: the prompt `slm predict` would build.

The recipe's system prompt goes first unless the conversation brings one; open-book, the last user
turn shows the passages retrieved for it (the recipe's retrieval settings) and numbers are grounded
in them; a question with no relevant passage gets the `unanswerable` sentence without generating.
Then the prompt is held to the limits of the `serve:` section and of the model's context.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from transformers import PreTrainedTokenizerBase

from slm_recipes.datamodules.chat_encoding import encode_prompt, with_system_prompt
from slm_recipes.generation.answers import Generated, grounding_text
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.retrieval.open_book import OpenBook
from slm_recipes.retrieval.passages import Passage
from slm_recipes.serve.batcher import Ask, Batcher
from slm_recipes.serve.config import ServeConfig
from slm_recipes.serve.requests import BadRequest, ChatRequest, chat_messages, stop_strings


@dataclass(frozen=True)
class Prepared:
    """A request made ready: what to ask the batcher, or (no relevant passage) the answer already known."""

    ask: Ask | None
    answer: str  # the `unanswerable` sentence when `ask` is None
    prompt_tokens: int
    passages: tuple[Passage, ...]
    open_book: bool  # passages were looked for (an empty list then means none was relevant)


class ChatService:
    """The loaded model behind the server: its batcher, tokenizer, recipe settings and (open book) retriever."""

    def __init__(self, batcher: Batcher, tokenizer: PreTrainedTokenizerBase, settings: GenerationSettings,
                 system_prompt: str | None, open_book: OpenBook | None, config: ServeConfig, model_id: str,
                 context_length: int | None = None) -> None:
        self.batcher, self.tokenizer, self.settings = batcher, tokenizer, settings
        self.system_prompt, self.open_book, self.config = system_prompt, open_book, config
        self.model_id, self.context_length = model_id, context_length
        self.created = int(time.time())
        self._reading = threading.Lock()  # requests are prepared in worker threads; one reads the index at a time

    def prepare(self, request: ChatRequest) -> Prepared:
        """The request's prompt and settings, checked against the limits (BadRequest names the one exceeded)."""
        with self._reading:
            return self._prepare(request)

    def _prepare(self, request: ChatRequest) -> Prepared:
        if request.model and request.model != self.model_id:
            raise BadRequest(f"model {request.model!r} is not served here; this server serves {self.model_id!r}",
                             "model", status=404, code="model_not_found")
        messages = with_system_prompt(chat_messages(request, self.config.max_messages), self.system_prompt)
        settings = self._settings(request)
        stop = stop_strings(request)
        open_book = self.open_book if request.retrieval else None
        grounded_in, passages = None, ()
        if open_book is not None:
            reading = open_book.read(messages)
            if not reading.answerable:
                return Prepared(None, reading.unanswerable, 0, (), True)
            messages, passages = reading.messages, tuple(reading.passages)
            grounded_in = grounding_text(messages) if settings.grounded_numbers else None
        prompt = encode_prompt(self.tokenizer, messages)
        self._check_length(len(prompt), settings.max_new_tokens)
        seed = request.seed if request.seed is not None else random.randrange(2**31)
        ask = Ask(prompt, settings, seed, grounded_in, stop, time.monotonic() + self.config.request_timeout_s)
        return Prepared(ask, "", len(prompt), passages, open_book is not None)

    def sources(self, prepared: Prepared, text: str) -> dict[str, Any]:
        """The extra fields every answer carries: the passages it was shown and the one it cites."""
        if not prepared.open_book:
            return {"sources": [], "cited": None}
        cited = Generated(text, True, 0, prepared.passages, prepared.ask is not None).cited
        return {"sources": [p.source_record() for p in prepared.passages],
                "cited": cited.source_record() if cited else None}

    def retrieve(self, query: str, top_k: int | None) -> list[dict[str, Any]]:
        if self.open_book is None:
            raise BadRequest("this server answers closed-book (the recipe's data.init_args.context is none, or "
                             "--no-retrieval): it has no index to search", status=404, code="not_found")
        if not query.strip():
            raise BadRequest("query is empty", "query")
        return [{**hit.passage.source_record(), "score": hit.score, "relevance": hit.relevance}
                for hit in self.open_book.search(query, top_k)]

    def _settings(self, request: ChatRequest) -> GenerationSettings:
        wanted = request.max_completion_tokens or request.max_tokens
        if wanted is not None and wanted > self.config.max_tokens:
            raise BadRequest(f"max_tokens {wanted} is over this server's limit of {self.config.max_tokens} "
                             "(serve.max_tokens)", "max_tokens")
        changes: dict[str, Any] = {"max_new_tokens": wanted or min(self.settings.max_new_tokens, self.config.max_tokens)}
        if request.temperature is not None:
            changes["temperature"] = request.temperature
        if request.top_p is not None:
            changes["top_p"] = request.top_p
        return replace(self.settings, **changes)

    def _check_length(self, prompt_tokens: int, max_new_tokens: int) -> None:
        if prompt_tokens > self.config.max_prompt_tokens:
            raise BadRequest(f"the prompt is {prompt_tokens} tokens (passages and chat template included); at most "
                             f"{self.config.max_prompt_tokens} are read (serve.max_prompt_tokens): shorten the "
                             "conversation", "messages")
        if self.context_length and prompt_tokens + max_new_tokens > self.context_length:
            raise BadRequest(f"the prompt ({prompt_tokens} tokens) and max_tokens ({max_new_tokens}) exceed the "
                             f"model's context of {self.context_length} tokens", "max_tokens")
