"""Grounded numbers: generated text may state only the numbers its source text states, as written.

A logits processor for Hugging Face `generate` (greedy or sampling, num_beams=1, one sequence per prompt):
the model still chooses which number, and all the words around it, but a figure it was not given cannot
be decoded. The rules:

- A *numeric run* is a maximal run of ASCII or fullwidth digits, Chinese numerals (〇零一二三四五六七八九十百千万亿两)
  and, between two digits, `,` or `.`: `1,200`, `3.5`, `3万`, `50` in `50%`, `二十`.
- A run with an Arabic digit is always constrained: while it is written it must stay a prefix of an allowed
  run, and where it ends (any other character, EOS or end of turn) it must equal one. A `,` or `.` right
  after a complete run is punctuation (`共1200.`, `1200, and`). Fullwidth digits count as their ASCII twins.
  A Chinese numeral right before a digit joins its run (统一3天 reads 一3).
- A run of Chinese numerals only is constrained only where a unit follows it (元 天 日 … % ％; 万 and 亿 are
  numerals): then it must equal an allowed run. 一般, 统一, 十分 are words; 百分之五十-style percentages
  are therefore not constrained.
- The allowed runs are the numeric runs of the row's source (`allowed_numbers`); with none, no Arabic digit
  can be generated. Only generated tokens count, not the prompt.

So every Arabic digit counts, list markers (`1.`) and identifiers (A4) too. Only measure units count after
a Chinese numeral: classifiers (一个, 一位, 一次) are everyday words, so 三个工作日 written in Chinese numerals
is not constrained either.

Tokens are read as bytes (byte-level BPE: SmolLM2, Qwen, Llama 3; other tokenizers go by each token's
decoded text), so a character split over tokens (万 is two tokens in SmolLM2) is judged once it is
complete; until then a token is allowed while some completion of it would be. Masked tokens get -inf;
a row left with no finite score (a state the rules never reach, or an earlier processor's mask) keeps its
scores. The vocabulary is read once per tokenizer and each (allowed set, trailing run) mask built once, so
outside a number a step costs one cached mask per row.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

import torch
from transformers import LogitsProcessor, PreTrainedTokenizerBase

from slm_recipes.text import zh_numerals

_ARABIC = frozenset("0123456789０１２３４５６７８９")
_RUN_CHARS = frozenset(_ARABIC | set(zh_numerals.ALL))
_SEPARATORS = frozenset(",.")
_UNITS = frozenset("元天日月年岁小时周晚倍公里米克斤%％")  # measures; classifiers (个 位 次 条) follow 一 in words
_DIGIT_CLASS = "".join(sorted(_ARABIC))
_RUN = re.compile(f"(?:[{''.join(sorted(_RUN_CHARS))}]|(?<=[{_DIGIT_CLASS}])[,.](?=[{_DIGIT_CLASS}]))+")
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")
_MULTIBYTE_RUN = {c: c.encode() for c in sorted(_RUN_CHARS) if len(c.encode()) > 1}
_MULTIBYTE_JUDGED = [c.encode() for c in sorted(_RUN_CHARS | _UNITS) if len(c.encode()) > 1]


def allowed_numbers(text: str) -> frozenset[str]:
    """The numeric runs `text` states, as written."""
    return frozenset(_RUN.findall(text))


class GroundedNumbers(LogitsProcessor):
    """Masks each token that would make row i state a number `sources[i]` does not (module docstring).

    `prompt_width` is the left-padded prompt length: row i's generated tokens are input_ids[i, prompt_width:].
    Only for num_beams=1 with one sequence per prompt, greedy or sampling: rows are matched to sources by index.
    """

    def __init__(self, tokenizer: PreTrainedTokenizerBase, sources: list[str], prompt_width: int) -> None:
        self._vocabulary = _vocabulary(tokenizer)
        self._allowed = [allowed_numbers(source) for source in sources]
        self._prompt_width = prompt_width
        self._rules: dict[frozenset[str], _Rules] = {}
        self._stacked: tuple[int, ...] = ()
        self._blocked = torch.zeros(0, dtype=torch.bool)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if input_ids.shape[0] != len(self._allowed):
            raise ValueError(f"{input_ids.shape[0]} rows for {len(self._allowed)} sources: GroundedNumbers needs "
                             "num_beams=1 and one sequence per prompt")
        masks = []
        for allowed, ids in zip(self._allowed, input_ids[:, self._prompt_width:].tolist()):
            if allowed not in self._rules:
                self._rules[allowed] = _Rules(allowed, self._vocabulary, scores.shape[-1], scores.device)
            masks.append(self._rules[allowed].mask(*_state(self._vocabulary.pieces, ids)))
        if (key := tuple(map(id, masks))) != self._stacked:  # outside numbers the rows' masks stay the same
            self._stacked, self._blocked = key, ~torch.stack(masks)
        masked = scores.masked_fill(self._blocked, float("-inf"))
        kept = (masked > float("-inf")).any(dim=-1, keepdim=True)
        return masked if bool(kept.all()) else torch.where(kept, masked, scores)


@dataclass(frozen=True)
class _Vocabulary:
    """What the rules need of a tokenizer, read once: each token's bytes and the few tokens a state can change."""

    pieces: list[bytes]  # b"" for special tokens: they end the text, so the run before them must be complete
    numeric: list[int]  # tokens with a run character: judged even outside a number
    continuing: list[int]  # tokens that may extend a run: a digit or numeral first, `.` or `.5`, a numeral's first bytes
    unit_first: list[int]  # tokens that start with a unit: they judge a Chinese numeral before them
    completers: dict[bytes, list[int]]  # a character's first bytes -> tokens that may finish it as a numeral or unit


class _Rules:
    """The masks of one allowed set, one per state: (trailing run, bytes of an unfinished character)."""

    def __init__(self, allowed: frozenset[str], vocabulary: _Vocabulary, width: int, device: torch.device) -> None:
        self._runs = {run.translate(_TO_ASCII) for run in allowed}
        self._prefixes = {run[:n] for run in self._runs for n in range(1, len(run) + 1)}
        self._vocabulary, self._width, self._device = vocabulary, width, device
        verdicts = {t: self.fits("", b"", vocabulary.pieces[t]) for t in vocabulary.numeric if t < width}
        self._base_blocked = {t for t, kept in verdicts.items() if not kept}
        self._base_cpu = torch.ones(width, dtype=torch.bool)
        self._base = self._tensor(self._base_cpu, verdicts)
        self._masks = {("", b""): self._base}

    def mask(self, tail: str, unfinished: bytes) -> torch.Tensor:
        if (tail, unfinished) not in self._masks:
            self._masks[tail, unfinished] = self._build(tail, unfinished)
        return self._masks[tail, unfinished]

    def _build(self, tail: str, unfinished: bytes) -> torch.Tensor:
        """Tokens not judged here close the run (or break the unfinished character): the base verdict if it may end."""
        vocabulary = self._vocabulary
        tokens = vocabulary.completers.get(unfinished, []) if unfinished else vocabulary.continuing
        verdicts = {t: self.fits(tail, unfinished, vocabulary.pieces[t]) for t in tokens if t < self._width}
        if tail and not unfinished and not _ARABIC.intersection(tail) and tail not in self._runs:
            verdicts.update((t, False) for t in vocabulary.unit_first if t < self._width)  # 三天 where 三 is not allowed
        if not self._ends(tail):
            return self._tensor(torch.zeros(self._width, dtype=torch.bool), verdicts)
        if all(kept == (t not in self._base_blocked) for t, kept in verdicts.items()):
            return self._base
        return self._tensor(self._base_cpu.clone(), verdicts)

    def _tensor(self, mask: torch.Tensor, verdicts: dict[int, bool]) -> torch.Tensor:
        if verdicts:
            mask[list(verdicts)] = torch.tensor(list(verdicts.values()))
        return mask.to(self._device)

    def fits(self, tail: str, unfinished: bytes, piece: bytes) -> bool:
        """Whether the rules still hold once `piece` follows the trailing run and the unfinished character's bytes."""
        if not piece:
            return self._ends(tail)  # a special token ends the text
        done, unfinished = _split_unfinished(unfinished + piece)
        text = tail + done.decode("utf-8", "replace")
        last = _trailing_run(text)
        closed = text[:len(text) - len(last)]
        if not all(self._ends_before(m.group(), closed[m.end():m.end() + 1]) for m in _RUN.finditer(closed)):
            return False
        if not unfinished:
            return self._may_continue(last)
        after_separator = last[-1:] in _SEPARATORS  # only a (fullwidth) digit joins the run across it
        return self._ends(last) or any(self._may_continue(last + char) for char, encoded in _MULTIBYTE_RUN.items()
                                       if encoded.startswith(unfinished) and (char in _ARABIC or not after_separator))

    def _ends_before(self, run: str, follower: str) -> bool:
        if _ARABIC.intersection(run):
            return run.translate(_TO_ASCII) in self._runs
        return follower not in _UNITS or run in self._runs

    def _ends(self, tail: str) -> bool:
        """Whether the trailing run may end here (a separator after it is punctuation)."""
        return self._ends_before(tail[:-1] if tail[-1:] in _SEPARATORS else tail, "")

    def _may_continue(self, run: str) -> bool:
        if not _ARABIC.intersection(run):
            return True  # Chinese numerals only: judged by what follows
        written = run.translate(_TO_ASCII)
        return written in self._prefixes or (written[-1] in _SEPARATORS and written[:-1] in self._runs)


def _state(pieces: list[bytes], ids: list[int]) -> tuple[str, bytes]:
    """A row's trailing run and the bytes of its unfinished last character, from its generated tokens."""
    done, unfinished = _split_unfinished(b"".join(pieces[t] for t in ids if t < len(pieces)))
    return _trailing_run(done.decode("utf-8", "replace")), unfinished


def _trailing_run(text: str) -> str:
    """The run `text` ends with, with a separator that may still join it (`1,` of `1,200`); "" if none."""
    end = len(text)
    start = end - 1 if end >= 2 and text[-1] in _SEPARATORS and text[-2] in _ARABIC else end
    while start > 0 and (text[start - 1] in _RUN_CHARS or (
            text[start - 1] in _SEPARATORS and 2 <= start < end and text[start - 2] in _ARABIC and text[start] in _ARABIC)):
        start -= 1
    return text[start:]


def _split_unfinished(data: bytes) -> tuple[bytes, bytes]:
    """`data` cut before a last UTF-8 character whose bytes have not all come yet."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # the last character's first byte
            length = 1 if byte < 0xC0 else 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return (data[:-back], data[-back:]) if length > back else (data, b"")
    return data, b""


_VOCABULARIES: weakref.WeakKeyDictionary[PreTrainedTokenizerBase, _Vocabulary] = weakref.WeakKeyDictionary()


def _vocabulary(tokenizer: PreTrainedTokenizerBase) -> _Vocabulary:
    cached = _VOCABULARIES.get(tokenizer)
    if cached is None or len(cached.pieces) != len(tokenizer):
        cached = _VOCABULARIES[tokenizer] = _read_vocabulary(tokenizer)
    return cached


def _read_vocabulary(tokenizer: PreTrainedTokenizerBase) -> _Vocabulary:
    added, byte_of = tokenizer.added_tokens_decoder, _byte_alphabet()
    pieces = []
    for token_id, token in enumerate(tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))):
        if token_id in added:
            pieces.append(b"" if added[token_id].special else added[token_id].content.encode())
        elif token is not None and all(char in byte_of for char in token):
            pieces.append(bytes(byte_of[char] for char in token))
        else:
            pieces.append(tokenizer.decode([token_id], skip_special_tokens=True).encode())
    numeric, continuing, unit_first, by_first_byte = [], [], [], {}
    for token_id, piece in enumerate(pieces):
        done, unfinished = _split_unfinished(piece)
        text = done.decode("utf-8", "replace")
        if _RUN_CHARS.intersection(text):
            numeric.append(token_id)
        fragment = bool(unfinished) and not text and any(encoded.startswith(unfinished) for encoded in _MULTIBYTE_RUN.values())
        decimal = text[:1] in _SEPARATORS and (len(text) == 1 or text[1] in _ARABIC)
        if text[:1] in _RUN_CHARS or fragment or decimal:
            continuing.append(token_id)
        if text[:1] in _UNITS:
            unit_first.append(token_id)
        if piece and piece[0] & 0xC0 == 0x80:
            by_first_byte.setdefault(piece[0], []).append(token_id)
    completers: dict[bytes, set[int]] = {}
    for encoded in _MULTIBYTE_JUDGED:
        for cut in range(1, len(encoded)):
            rest = encoded[cut:]
            completers.setdefault(encoded[:cut], set()).update(
                t for t in by_first_byte.get(rest[0], []) if pieces[t].startswith(rest) or rest.startswith(pieces[t]))
    return _Vocabulary(pieces, numeric, continuing, unit_first, {k: sorted(v) for k, v in completers.items()})


def _byte_alphabet() -> dict[str, int]:
    """GPT-2's byte-level alphabet, character -> byte: printable bytes stand for themselves, the rest for 256 + n."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    others = [b for b in range(256) if b not in printable]
    return {chr(b): b for b in printable} | {chr(256 + n): b for n, b in enumerate(others)}
