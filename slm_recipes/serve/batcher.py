"""Continuous batching: concurrent requests share one forward pass per generated token.

One thread owns the model. Each step it lets waiting requests join (up to `max_batch`; an idle
batcher first waits `window_s` so requests arriving together start together), reads their prompts
in one left-padded pass, merges their key/value cache into the running batch, then generates one
token for every request in the batch. A request leaves as soon as it ends (end of turn, its
`max_new_tokens`, a stop string, its deadline, or its client gone) and the others go on; the
cache's columns that only padding uses are dropped.

Each request's scores pass through its own processors on its own ids (`answer_processors`: the
repetition penalty, grounded numbers) and it samples with its own seeded generator, so an answer
does not depend on which requests share its batch: greedy answers are `slm predict`'s.
"""

from __future__ import annotations

import inspect
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from transformers import LogitsProcessorList, PreTrainedTokenizerBase, TemperatureLogitsWarper, TopPLogitsWarper

from slm_recipes.generation.answers import answer_processors, left_pad, stop_token_ids
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.serve.text_stream import TextStream

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ask:
    """What one request asks the model for."""

    prompt: list[int]  # the rendered conversation, generation prompt included
    settings: GenerationSettings  # max_new_tokens, temperature, top_p, repetition_penalty
    seed: int = 0
    grounded_in: str | None = None  # the text whose numbers the answer may state (open book)
    stop: tuple[str, ...] = ()
    deadline: float = float("inf")  # time.monotonic() after which the request ends with "timeout"


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class Finished:
    text: str  # the whole answer
    finish_reason: str  # stop | length | timeout
    new_tokens: int
    rest: str = ""  # its end, not yet sent as a Delta


@dataclass(frozen=True)
class Failed:
    message: str


Event = Delta | Finished | Failed


class QueueFull(Exception):
    """Every place in the queue is taken: the client should retry later."""


@dataclass(eq=False)
class Job:
    """A request in the batcher: `deliver` gets its events, from the batcher's thread."""

    ask: Ask
    deliver: Callable[[Event], None]
    cancelled: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """The client is gone: the job leaves the batch at the next step, and nothing more is delivered."""
        self.cancelled.set()


@dataclass(eq=False)
class _Row:
    job: Job
    ids: list[int]  # prompt + generated
    text: TextStream
    processors: LogitsProcessorList
    generator: torch.Generator


class Batcher:
    """Owns the model on one thread and steps every admitted request together (module docstring)."""

    def __init__(self, model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, max_batch: int = 16,
                 window_s: float = 0.02, queue_size: int = 64) -> None:
        self.model, self.tokenizer = model.eval(), tokenizer
        self.max_batch, self.window_s = max_batch, window_s
        self._waiting: queue.Queue[Job] = queue.Queue(maxsize=queue_size)
        self._stops = set(stop_token_ids(tokenizer))
        self._pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else next(iter(self._stops), 0)
        self._device = next(model.parameters()).device
        self._rows: list[_Row] = []
        self._cache = None
        self._mask = torch.zeros((0, 0), dtype=torch.long, device=self._device)
        self._cache_key = _cache_key(model)
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slm-batcher", daemon=True)
        self.steps = 0  # forward passes of the running batch: /health reports these counts
        self.peak = 0  # the most requests generated together so far
        self.dropped = 0  # requests whose client left before their answer ended

    def start(self) -> Batcher:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=30)

    @property
    def active(self) -> int:
        return len(self._rows)

    @property
    def waiting(self) -> int:
        return self._waiting.qsize()

    def submit(self, job: Job) -> None:
        """Queue `job`; QueueFull when the queue is full."""
        try:
            self._waiting.put_nowait(job)
        except queue.Full:
            raise QueueFull from None

    def _run(self) -> None:
        while not self._closing.is_set():
            joining = self._admit()
            if not joining and not self._rows:
                continue
            try:
                with torch.no_grad():
                    self._step(joining)
            except Exception as err:  # a failed step fails its requests, not the server
                log.exception("generation step failed")
                for row in self._rows:
                    self._send(row.job, Failed(f"generation failed: {type(err).__name__}: {err}"))
                for job in joining:
                    self._send(job, Failed(f"generation failed: {type(err).__name__}: {err}"))
                self._rows, self._cache = [], None
                self._mask = self._mask[:0, :0]

    def _admit(self) -> list[Job]:
        """Jobs that join this step: without waiting when a batch runs, else the first one and those that follow
        it within the window."""
        room = self.max_batch - len(self._rows)
        joining: list[Job] = []
        if room <= 0:
            return joining
        if not self._rows:
            try:
                joining.append(self._waiting.get(timeout=0.1))
            except queue.Empty:
                return joining
            until = time.monotonic() + self.window_s
            while len(joining) < room and (left := until - time.monotonic()) > 0:
                try:
                    joining.append(self._waiting.get(timeout=left))
                except queue.Empty:
                    break
        while len(joining) < room:
            try:
                joining.append(self._waiting.get_nowait())
            except queue.Empty:
                break
        now = time.monotonic()
        kept = []
        for job in joining:
            if job.cancelled.is_set():
                self.dropped += 1
                continue
            if now > job.ask.deadline:
                self._send(job, Finished("", "timeout", 0))
                continue
            kept.append(job)
        return kept

    def _step(self, joining: list[Job]) -> None:
        """One token for every request: the running rows' next token, and the joining rows' first."""
        scores = []
        if self._rows:
            last = torch.tensor([[row.ids[-1]] for row in self._rows], device=self._device)
            self._mask = torch.cat([self._mask, self._mask.new_ones((len(self._rows), 1))], dim=1)
            positions = torch.tensor([[len(row.ids) - 1] for row in self._rows], device=self._device)
            out = self.model(input_ids=last, attention_mask=self._mask, position_ids=positions, use_cache=True,
                             **{self._cache_key: self._cache})
            self._cache = getattr(out, self._cache_key)
            scores.append(out.logits[:, -1, :].float())
            self.steps += 1
        if joining:
            scores.append(self._join(joining))
        self.peak = max(self.peak, len(self._rows))
        self._choose(torch.cat(scores))

    def _join(self, jobs: list[Job]) -> torch.Tensor:
        """Read the joining prompts (one left-padded pass), add their cache to the batch; their first scores."""
        ids, mask = left_pad([job.ask.prompt for job in jobs], self._pad, self._device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        out = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
        self._cache, self._mask = _merged(self._cache, self._mask, getattr(out, self._cache_key), mask)
        for job in jobs:
            ask = job.ask
            self._rows.append(_Row(job, list(ask.prompt), TextStream(self.tokenizer, ask.stop),
                                   _processors(self.tokenizer, ask), torch.Generator().manual_seed(ask.seed)))
        return out.logits[:, -1, :].float()

    def _choose(self, scores: torch.Tensor) -> None:
        """Each row's next token from its own processors and generator; rows that end leave the batch."""
        now = time.monotonic()
        keep: list[int] = []
        for n, row in enumerate(self._rows):
            if row.job.cancelled.is_set():
                self.dropped += 1
                continue
            token = self._next_token(row, scores[n:n + 1])
            ended = self._advance(row, token, now)
            if not ended:
                keep.append(n)
        if len(keep) < len(self._rows):
            self._keep(keep)

    def _next_token(self, row: _Row, scores: torch.Tensor) -> int:
        ask = row.job.ask
        if row.processors:  # none for a greedy closed-book answer without a penalty: no ids tensor per step
            scores = row.processors(torch.tensor([row.ids], device=scores.device), scores)
        if ask.settings.temperature <= 0:
            return int(scores.argmax(dim=-1))
        probs = torch.softmax(scores, dim=-1).cpu()
        return int(torch.multinomial(probs, 1, generator=row.generator))

    def _advance(self, row: _Row, token: int, now: float) -> bool:
        """Add `token` to the row and tell its client; whether the row has ended."""
        ask = row.job.ask
        if token in self._stops:
            return self._end(row, "stop")
        row.ids.append(token)
        delta = row.text.add(token)
        if delta:
            self._send(row.job, Delta(delta))
        if row.text.stopped:
            return self._end(row, "stop")
        if len(row.text.tokens) >= ask.settings.max_new_tokens:
            return self._end(row, "length")
        if now > ask.deadline:
            return self._end(row, "timeout")
        return False

    def _end(self, row: _Row, reason: str) -> bool:
        rest = row.text.rest()
        self._send(row.job, Finished(row.text.final(), reason, len(row.text.tokens), rest))
        return True

    def _keep(self, keep: list[int]) -> None:
        """Only these rows stay; cache columns that only padding uses are dropped."""
        self._rows = [self._rows[n] for n in keep]
        if not keep:
            self._cache, self._mask = None, self._mask[:0, :0]
            return
        index = torch.tensor(keep, device=self._device)
        self._mask = self._mask[index]
        used = self._mask.any(dim=0).nonzero()
        start = int(used[0]) if len(used) else 0
        self._mask = self._mask[:, start:]
        for layer in _layers(self._cache):
            layer.keys, layer.values = layer.keys[index, :, start:], layer.values[index, :, start:]

    @staticmethod
    def _send(job: Job, event: Event) -> None:
        if job.cancelled.is_set():
            return
        try:
            job.deliver(event)
        except Exception:  # a client's delivery failing must not stop the others
            log.exception("delivering an answer failed")


def _processors(tokenizer: PreTrainedTokenizerBase, ask: Ask) -> LogitsProcessorList:
    """The request's own processors, then its sampling warpers (the order `generate` uses)."""
    processors = answer_processors(tokenizer, ask.settings, ask.grounded_in, len(ask.prompt))
    if ask.settings.temperature > 0:
        processors.append(TemperatureLogitsWarper(ask.settings.temperature))
        if ask.settings.top_p < 1.0:
            processors.append(TopPLogitsWarper(ask.settings.top_p))
    return processors


def _cache_key(model: torch.nn.Module) -> str:
    """The name a model's forward takes its key/value cache by, and returns it as: `cache` (transformers 5.2x)
    or `past_key_values` (before)."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return "cache" if "cache" in inspect.signature(type(base).forward).parameters else "past_key_values"


def _layers(cache) -> list:
    """The cache's layers, each holding `keys` and `values` (batch, heads, positions, dim): the layout the pinned
    transformers range has; another one is said plainly, not met with a shape error deep in a forward."""
    layers = getattr(cache, "layers", None)
    if layers is None or not all(hasattr(layer, "keys") and hasattr(layer, "values") for layer in layers):
        raise RuntimeError(f"the model's key/value cache ({type(cache).__name__}) has no layers of keys and values; "
                           "slm serve needs transformers 4.56 to 5.x (pip install 'transformers>=4.56,<6')")
    return list(layers)


def _merged(cache, mask: torch.Tensor, joining, joining_mask: torch.Tensor):
    """The running batch's cache and mask with the joining rows' added below, both left-padded to one width."""
    if cache is None or mask.size(0) == 0:
        return joining, joining_mask
    width = max(mask.size(1), joining_mask.size(1))

    def pad(tensor: torch.Tensor, dim: int) -> torch.Tensor:
        missing = width - tensor.size(dim)
        if missing == 0:
            return tensor
        shape = list(tensor.shape)
        shape[dim] = missing
        return torch.cat([tensor.new_zeros(shape), tensor], dim=dim)

    for layer, new in zip(_layers(cache), _layers(joining)):
        layer.keys = torch.cat([pad(layer.keys, 2), pad(new.keys, 2)])
        layer.values = torch.cat([pad(layer.values, 2), pad(new.values, 2)])
    return cache, torch.cat([pad(mask, 1), pad(joining_mask, 1)])
