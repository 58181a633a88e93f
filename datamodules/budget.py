"""Fitting an open-book example into `max_length` tokens without dropping it: the passages shown are cut to a
window of whole sentences around the gold sentence (the one stating the answer, never cut itself), and an answer
that does not fit even beside its gold sentence alone is focused to the clauses stating its numbers, and as a
last resort narrowed to the one clause that answers.

Legal sentences are long: a whole chunk, a long gold sentence and a long answer often pass 384 tokens, and an
example dropped for length is a fact never trained.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from slm_recipes.retrieval.passages import Passage
from slm_recipes.text.headings import ARTICLE_NUMBER
from slm_recipes.text.numbers import extract_quantities
from slm_recipes.text.shingles import normalise, shingles

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?\n?")
_LABEL = re.compile(rf"^\s*{ARTICLE_NUMBER}\s*")
_CLAUSE = re.compile(r"[^，,；;。！？!?]+[，,；;。！？!?]?")
_PART = re.compile(r"[^，,；;：:。！？!?]+[，,；;：:。！？!?]?")  # clauses, and a lead-in before its colon apart


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def gold_sentence(pieces: list[str], answer: str) -> int:
    """The sentence sharing most of the answer's character pairs (its numbers first): what the answer states."""
    wanted = {q.text for q in extract_quantities(answer)}
    grams = shingles(answer)

    def key(i: int) -> tuple[int, int]:
        return sum(w in pieces[i] for w in wanted), len(grams & shingles(pieces[i]))

    return max(range(len(pieces)), key=key)


def window(passage: Passage, answer: str, fits: Callable[[Passage], bool]) -> Passage | None:
    """The widest window of whole sentences around the gold sentence that `fits`, growing after it first (a rule
    reads on), its article label kept; None when the gold sentence alone does not fit."""
    pieces = sentences(passage.text)
    if not pieces:
        return None
    gold = gold_sentence(pieces, answer) if answer else 0
    label = found.group(0) if (found := _LABEL.match(passage.text)) else ""

    def cut(first: int, last: int) -> Passage:
        text = "".join(pieces[first:last + 1]).strip()
        return replace(passage, text=text if first == 0 or not label else label + text)

    first = last = gold
    best = cut(first, last)
    if not fits(best):
        return None
    while first > 0 or last < len(pieces) - 1:
        grown = False
        for a, b in ((first, last + 1), (first - 1, last)):
            if 0 <= a and b < len(pieces) and fits(candidate := cut(a, b)):
                first, last, best, grown = a, b, candidate, True
                break
        if not grown:
            break
    return best


def answer_clauses(passage: Passage, answer: str, fits: Callable[[Passage], bool]) -> Passage | None:
    """The last resort for a gold sentence too long to show whole: its clauses the answer states, in order, with
    the article label; None when the answer holds none of them or they do not fit."""
    label = found.group(0) if (found := _LABEL.match(passage.text)) else ""
    body = passage.text[len(label):]
    flat = normalise(answer)
    kept = [c for c in _PART.findall(body) if normalise(c) and normalise(c) in flat]
    if not kept:
        return None
    cut = replace(passage, text=label + "".join(kept).rstrip("，,；;") + ("" if kept[-1][-1:] in "。！？!?" else "。"))
    return cut if fits(cut) else None


def opening(passage: Passage, fits: Callable[[Passage], bool]) -> Passage | None:
    """A passage shown without its question's answer (RAFT's distractor), cut to the most whole clauses from its
    start that fit."""
    clauses = _CLAUSE.findall(passage.text)
    for n in range(len(clauses), 0, -1):
        cut = replace(passage, text="".join(clauses[:n]))
        if fits(cut):
            return cut
    return None


def focused(answer: str) -> str:
    """The answer cut to its first clause (who or what it is about) and the clauses stating its numbers; the
    answer itself when it has no number or only one clause."""
    clauses = [c for c in _CLAUSE.findall(answer) if c.strip()]
    stating = [i for i, c in enumerate(clauses) if extract_quantities(c)]
    if len(clauses) < 2 or not stating:
        return answer
    kept = sorted({0, *stating})
    if len(kept) == len(clauses):
        kept = [0, stating[0]] if stating[0] else [0]
    text = "".join(clauses[i] for i in kept).rstrip("，,；;。 ")
    return text + "。"


def narrowed(answer: str, question: str) -> str:
    """The last resort for an answer too long to fit even focused: the clause that answers alone (the first one
    stating a number; for a rule, the clause after its first sharing most character pairs with the question,
    which names what it asks); the answer itself when it is one clause."""
    parts = [c for c in _PART.findall(answer) if c.strip()]
    if len(parts) < 2:
        return answer
    stating = [c for c in parts if extract_quantities(c)]
    asked = shingles(question)
    best = stating[0] if stating else max(parts[1:], key=lambda c: len(shingles(c) & asked))
    return best.rstrip("，,；;：:。 ") + "。"
