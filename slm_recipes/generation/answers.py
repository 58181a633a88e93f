"""Batched, left-padded generation from chat messages, rendered exactly as training rendered them.

Shared by evaluation, chat, predict and the merged model's generation_config.json.

Prompts are sorted by length so each batch pads little, generated with Hugging Face `generate`
(greedy unless a temperature is given), cut at the first end-of-turn / EOS token and decoded.
`answer_questions` answers open-book: it retrieves for each question, shows the passages as
training did, and (with `grounded_numbers`) lets an answer state only numbers those passages or the
question contain; a question with no relevant passage gets the `unanswerable` sentence, ungenerated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import torch
from transformers import (
    GenerationConfig,
    LogitsProcessor,
    LogitsProcessorList,
    PreTrainedTokenizerBase,
    RepetitionPenaltyLogitsProcessor,
)
from transformers.generation.streamers import BaseStreamer

from slm_recipes.datamodules.chat_encoding import IGNORE_INDEX, encode_chat, encode_prompt
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.generation.grounded_numbers import GroundedNumbers
from slm_recipes.retrieval.gold import gold_passage
from slm_recipes.retrieval.open_book import OpenBook
from slm_recipes.retrieval.passages import Passage


@dataclass(frozen=True)
class Generated:
    text: str
    ended: bool  # the end-of-turn (or EOS) token was reached within max_new_tokens
    new_tokens: int
    passages: tuple[Passage, ...] = ()  # what the prompt showed (open book)
    answerable: bool = True  # False: no relevant passage, the text is the `unanswerable` sentence

    @property
    def cited(self) -> Passage | None:
        """The shown passage the answer uses: the one stating its numbers and most of its words."""
        return gold_passage(list(self.passages), self.text) if self.passages and self.answerable else None


def answer_questions(model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, prompts: list[list[dict[str, str]]],
                     settings: GenerationSettings = GenerationSettings(), open_book: OpenBook | None = None,
                     seed: int = 0, streamer: BaseStreamer | None = None,
                     on_batch: Callable[[int], None] | None = None) -> list[Generated]:
    """One answer per prompt: closed-book without `open_book`, else from the passages retrieved for it."""
    if open_book is None:
        return generate_answers(model, tokenizer, prompts, settings, seed, streamer, on_batch)
    readings = [open_book.read(messages) for messages in prompts]
    asked = [n for n, r in enumerate(readings) if r.answerable]
    sources = [grounding_text(readings[n].messages) for n in asked]
    answers = generate_answers(model, tokenizer, [readings[n].messages for n in asked], settings, seed, streamer,
                               on_batch, grounded_in=sources if settings.grounded_numbers else None) if asked else []
    out = [Generated(r.unanswerable, True, 0, answerable=False) for r in readings]
    for n, answer in zip(asked, answers):
        out[n] = Generated(answer.text, answer.ended, answer.new_tokens, tuple(readings[n].passages))
    if on_batch is not None and len(asked) < len(prompts):
        on_batch(len(prompts) - len(asked))
    if streamer is not None and not asked:
        streamer.on_finalized_text(out[0].text, stream_end=True)
    return out


def grounding_text(messages: list[dict[str, str]]) -> str:
    """The text an open-book answer may take numbers from: the user turns (passages and question)."""
    return "\n".join(m["content"] for m in messages if m["role"] == "user")


def stop_token_ids(tokenizer: PreTrainedTokenizerBase) -> list[int]:
    """EOS plus the token that closes an assistant turn in this chat template (what training taught)."""
    ids = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    encoded = encode_chat(tokenizer, [{"role": "user", "content": "1"}, {"role": "assistant", "content": "2"}])
    trained = [t for t, label in zip(encoded.input_ids, encoded.labels) if label != IGNORE_INDEX]
    if trained and trained[-1] in tokenizer.all_special_ids and trained[-1] not in ids:
        ids.append(trained[-1])
    return ids


@torch.no_grad()
def generate_answers(model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, prompts: list[list[dict[str, str]]],
                     settings: GenerationSettings = GenerationSettings(), seed: int = 0,
                     streamer: BaseStreamer | None = None,
                     on_batch: Callable[[int], None] | None = None,
                     grounded_in: list[str] | None = None) -> list[Generated]:
    """One answer per prompt (a list of messages), in the order given.

    `streamer` receives the tokens as they are generated (one prompt only: `slm chat`); `on_batch`
    is called with the number of answers of each finished batch (a progress bar); `grounded_in[i]`,
    when given, is the text whose numbers answer i may state (`GroundedNumbers`).
    """
    if streamer is not None and len(prompts) != 1:
        raise ValueError("a streamer follows one prompt at a time")
    encoded = [encode_prompt(tokenizer, messages) for messages in prompts]
    order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
    stops = stop_token_ids(tokenizer)
    config = generation_config(replace(settings, repetition_penalty=1.0), stops, tokenizer.pad_token_id)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    results: dict[int, Generated] = {}
    try:
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(seed)
            for start in range(0, len(order), settings.batch_size):
                batch = order[start:start + settings.batch_size]
                input_ids, attention_mask = left_pad([encoded[i] for i in batch], tokenizer.pad_token_id, device)
                rows = [answer_processors(tokenizer, settings, grounded_in[i] if grounded_in is not None else None,
                                          len(encoded[i]))
                        for i in batch]
                processors = LogitsProcessorList([ByRow(rows, [input_ids.size(1) - len(encoded[i]) for i in batch])]
                                                 if any(rows) else [])
                out = model.generate(input_ids=input_ids, attention_mask=attention_mask, generation_config=config,
                                     streamer=streamer, logits_processor=processors)
                for i, row in zip(batch, out[:, input_ids.size(1):].tolist()):
                    results[i] = _decode(tokenizer, row, stops)
                if on_batch is not None:
                    on_batch(len(batch))
    finally:
        model.train(was_training)
    return [results[i] for i in range(len(encoded))]


def answer_processors(tokenizer: PreTrainedTokenizerBase, settings: GenerationSettings, grounded_in: str | None,
                      prompt_length: int) -> LogitsProcessorList:
    """What shapes one answer's next-token scores, given that answer's own ids (its prompt and what it generated,
    no padding): the repetition penalty, then grounded numbers (when `grounded_in` is the text to take them from).

    `generate_answers` applies them row by row (`ByRow`) and `slm serve` on each request it steps, so an answer
    is the same whichever answers share its batch: a penalty over left padding (often the end-of-turn token
    itself) would make a padded row less likely to end.
    """
    processors = LogitsProcessorList()
    if settings.repetition_penalty != 1.0:
        processors.append(RepetitionPenaltyLogitsProcessor(settings.repetition_penalty))
    if grounded_in is not None:
        processors.append(GroundedNumbers(tokenizer, [grounded_in], prompt_length))
    return processors


class ByRow(LogitsProcessor):
    """Each row's own processors on its own ids: row i of a left-padded batch starts at column `pads[i]`."""

    def __init__(self, rows: list[LogitsProcessorList], pads: list[int]) -> None:
        self._rows, self._pads = rows, pads

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        return torch.cat([processors(input_ids[i:i + 1, pad:], scores[i:i + 1]) if processors else scores[i:i + 1]
                          for i, (processors, pad) in enumerate(zip(self._rows, self._pads))])


def left_pad(rows: list[list[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for n, row in enumerate(rows):
        ids[n, width - len(row):] = torch.tensor(row, dtype=torch.long)
        mask[n, width - len(row):] = 1
    return ids.to(device), mask.to(device)


def generation_config(settings: GenerationSettings, stops: list[int], pad_id: int | None) -> GenerationConfig:
    """Greedy at temperature 0; otherwise temperature + top_p sampling with no top-k cut (the same in every command)."""
    sample = settings.temperature > 0
    kwargs = {"temperature": settings.temperature, "top_p": settings.top_p, "top_k": 0} if sample else {}
    return GenerationConfig(max_new_tokens=settings.max_new_tokens, do_sample=sample,
                            repetition_penalty=settings.repetition_penalty, eos_token_id=stops, pad_token_id=pad_id,
                            **kwargs)


def _decode(tokenizer: PreTrainedTokenizerBase, row: list[int], stops: list[int]) -> Generated:
    end = next((n for n, t in enumerate(row) if t in stops), None)
    tokens = row if end is None else row[:end]
    return Generated(text=tokenizer.decode(tokens, skip_special_tokens=True).strip(), ended=end is not None,
                     new_tokens=len(tokens))
