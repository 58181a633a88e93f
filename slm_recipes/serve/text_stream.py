"""An answer's text as its tokens arrive: what may be shown so far, and where a stop string ends it.

The final text is what `slm predict` writes for the same tokens (decoded without special tokens,
stripped), cut before the first stop string. While the answer grows, what is shown is always a
prefix of that final text: leading blanks are dropped, and the tail is held back while it could
still change: an unfinished character (a multi-byte character split over tokens), trailing
blanks (the strip at the end removes them), or the start of a stop string.
"""

from __future__ import annotations

from transformers import PreTrainedTokenizerBase

_UNFINISHED = "\ufffd"  # what decoding gives for the first bytes of a character split over tokens


class TextStream:
    """One answer's decoded text, with the part already shown (`shown`) always a prefix of the final one."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, stop: tuple[str, ...] = ()) -> None:
        self._tokenizer = tokenizer
        self._stop = tuple(s for s in stop if s)
        self.tokens: list[int] = []
        self.shown = ""
        self.stopped = False  # a stop string was generated: the answer ends before it

    def add(self, token: int) -> str:
        """Take one generated token; the text that may now be shown beyond what was (often empty)."""
        self.tokens.append(token)
        text = self._text()
        if self.stopped:
            return self._advance(text.rstrip())
        held = len(text.rstrip(" \t\r\n" + _UNFINISHED))
        held = min(held, len(text) - self._stop_prefix(text))
        return self._advance(text[:held])

    def final(self) -> str:
        """The whole answer, once generation has ended; the rest of it that was not shown yet is `rest()`."""
        return self._text().strip()

    def rest(self) -> str:
        """What is left to show when the answer ends."""
        return self._advance(self.final())

    def _text(self) -> str:
        text = self._tokenizer.decode(self.tokens, skip_special_tokens=True).lstrip()
        cut = [text.find(s) for s in self._stop if s in text]
        if cut:
            self.stopped = True
            text = text[:min(cut)]
        return text

    def _stop_prefix(self, text: str) -> int:
        """Length of the longest tail of `text` that begins a stop string (it may yet become one)."""
        longest = 0
        for stop in self._stop:
            for n in range(min(len(stop) - 1, len(text)), longest, -1):
                if text.endswith(stop[:n]):
                    longest = n
                    break
        return longest

    def _advance(self, visible: str) -> str:
        if not visible.startswith(self.shown) or len(visible) <= len(self.shown):
            return ""  # decoding revised earlier text (rare): show nothing new until it agrees again
        delta = visible[len(self.shown):]
        self.shown = visible
        return delta
