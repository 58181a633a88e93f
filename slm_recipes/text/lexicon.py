"""The lexicon a recipe names: the words of a language and kind of document that the rules of the extractive
teacher and of the metrics use, and neutral sample texts, read from a YAML file instead of written in code.

`lexicon: zh-policy` (the default) is the bundled Chinese policy-document lexicon,
`slm_recipes/text/lexicons/zh-policy.yaml`; any other value is a path to a file with the same keys.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from slm_recipes.core.errors import RecipeError

DEFAULT_LEXICON = "zh-policy"
_PUNCTUATION = r"\s,.;:!?'\"()\[\]{}<>《》「」『』“”‘’，。、；：！？（）【】—…·~～/\\|_*#-"
_REQUIRED = {"subjects": ("strong_ends", "weak_ends", "not_in_subject", "leading_counters", "generic_topics"),
             "clauses": ("leading_conjunctions", "modal_words", "condition_ends", "continuing_starts", "range_joins",
                         "condition_lists", "per_words"),
             "questions": ("modals", "tail_breaks", "upper_bounds", "lower_bounds", "verb_starts", "few_units",
                           "verb_endings", "rules", "everyday", "asking", "unfinished_endings", "ask_duration",
                           "ask_money", "ask_date", "duration_units", "money_units", "if_suffix", "if_prefix", "what_then", "belongs", "about", "what", "bound_asks", "copulas",
                           "rows", "persons", "person", "parties", "who"),
             "keywords": ("stop_words", "english_stop_words"),
             "samples": ("question", "conversations", "tokenizer")}


@dataclass(frozen=True)
class Lexicon:
    """One lexicon file, read: each word list in the order the file gives it."""

    source: str
    digest: str  # sha256 of the file: part of the stamps of what it shapes
    strong_ends: tuple[str, ...]
    weak_ends: tuple[str, ...]
    not_in_subject: frozenset[str]
    leading_counters: frozenset[str]
    generic_topics: frozenset[str]
    leading_conjunctions: frozenset[str]
    modal_words: frozenset[str]
    condition_ends: tuple[str, ...]
    continuing_starts: tuple[str, ...]
    range_joins: frozenset[str]
    condition_lists: tuple[str, ...]
    per_words: tuple[str, ...]
    modals: tuple[str, ...]
    tail_breaks: tuple[str, ...]
    upper_bounds: tuple[str, ...]
    lower_bounds: tuple[str, ...]
    verb_starts: tuple[str, ...]
    few_units: frozenset[str]
    verb_endings: tuple[str, ...]
    rule_questions: tuple[tuple[str, str], ...]  # (word, question form), tried in order
    everyday: tuple[tuple[str, str], ...]  # (the document's word, a person's word)
    asking: tuple[str, ...]
    unfinished_endings: tuple[str, ...]
    ask_duration: str
    ask_money: str
    ask_date: str
    duration_units: frozenset[str]
    money_units: frozenset[str]
    if_suffix: str
    if_prefix: str
    what_then: str
    belongs: tuple[str, ...]  # ways to ask whether an item is one of what its list's lead-in names
    about: str
    what: str
    copulas: tuple[tuple[str, str], ...]  # (a verb before a number, how a person says it)
    bound_asks: tuple[tuple[str, str], ...]  # (a bound's word, how a person asks for it), longest first
    rows: tuple[str, ...]  # a row of a graded list asked by its row and its heading
    persons: tuple[str, ...]  # who a rule is about that a person asks as 我 (职工, 员工), longest first
    person: str  # how a person names themselves
    parties: tuple[str, ...]  # who a rule obliges or allows (用人单位, 公司): asked for as `who`
    who: str
    stop_words: tuple[str, ...]
    english_stop_words: frozenset[str]
    sample_question: str
    sample_conversations: tuple[tuple[dict[str, str], ...], ...] = field(default=())
    tokenizer_samples: tuple[str, ...] = ()

    @property
    def subject_ends(self) -> tuple[str, ...]:
        return self.strong_ends + self.weak_ends

    @cached_property
    def upper_bound(self) -> re.Pattern[str]:
        return re.compile("|".join(map(re.escape, self.upper_bounds)))

    @cached_property
    def lower_bound(self) -> re.Pattern[str]:
        return re.compile("|".join(map(re.escape, self.lower_bounds)))

    @cached_property
    def keyword_breaks(self) -> re.Pattern[str]:
        """Where a reference answer is cut into content phrases: stop words (the longest first) and punctuation."""
        words = sorted(self.stop_words, key=len, reverse=True)
        return re.compile("|".join(re.escape(w) for w in words) + f"|[{_PUNCTUATION}]+")


def bundled_lexicons() -> Path:
    return Path(str(importlib.resources.files("slm_recipes.text") / "lexicons"))


def lexicon_file(name: str) -> Path:
    """A bundled lexicon by name (`zh-policy`), else a path."""
    bundled = bundled_lexicons() / f"{name}.yaml"
    if "/" not in name and bundled.is_file():
        return bundled
    path = Path(name)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in bundled_lexicons().glob("*.yaml")))
        raise RecipeError(f"lexicon {name} is neither a bundled lexicon ({known}) nor a file; check the recipe's lexicon:")
    return path


@lru_cache(maxsize=8)
def load_lexicon(name: str = DEFAULT_LEXICON) -> Lexicon:
    """The lexicon `name` names (read once per process); a missing list names the file and the key."""
    path = lexicon_file(name)
    raw = path.read_bytes()
    try:
        content = yaml.safe_load(raw.decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise RecipeError(f"{path}: not a readable YAML lexicon ({str(err).splitlines()[0]})") from None
    for group, keys in _REQUIRED.items():
        for key in keys:
            if not isinstance(content.get(group), dict) or key not in content[group]:
                raise RecipeError(f"{path}: the lexicon has no {group}.{key}; copy it from {lexicon_file(DEFAULT_LEXICON)}")
    s, c, q, k, m = (content[g] for g in ("subjects", "clauses", "questions", "keywords", "samples"))
    return Lexicon(
        source=str(path), digest=hashlib.sha256(raw).hexdigest(),
        strong_ends=_words(s["strong_ends"]), weak_ends=_words(s["weak_ends"]),
        not_in_subject=frozenset(_characters(s["not_in_subject"])), leading_counters=frozenset(_words(s["leading_counters"])),
        generic_topics=frozenset(_words(s["generic_topics"])),
        leading_conjunctions=frozenset(_words(c["leading_conjunctions"])), modal_words=frozenset(_words(c["modal_words"])),
        condition_ends=_words(c["condition_ends"]), continuing_starts=_words(c["continuing_starts"]),
        range_joins=frozenset(_words(c["range_joins"])), condition_lists=_words(c["condition_lists"]),
        per_words=_words(c["per_words"]),
        modals=_words(q["modals"]), tail_breaks=_words(q["tail_breaks"]), upper_bounds=_words(q["upper_bounds"]),
        lower_bounds=_words(q["lower_bounds"]), verb_starts=_words(q["verb_starts"]),
        few_units=frozenset(_words(q["few_units"])), verb_endings=_characters(q["verb_endings"]),
        rule_questions=tuple((str(r["word"]), str(r["ask"])) for r in q["rules"]),
        everyday=tuple((str(k), str(v)) for k, v in (q["everyday"] or {}).items()),
        asking=_words(q["asking"]), unfinished_endings=_words(q["unfinished_endings"]),
        ask_duration=str(q["ask_duration"]), ask_money=str(q["ask_money"]), ask_date=str(q["ask_date"]),
        duration_units=frozenset(_words(q["duration_units"])), money_units=frozenset(_words(q["money_units"])),
        if_suffix=str(q["if_suffix"]), if_prefix=str(q["if_prefix"]), what_then=str(q["what_then"]),
        belongs=_words([q["belongs"]] if isinstance(q["belongs"], str) else q["belongs"]),
        about=str(q["about"]), what=str(q["what"]),
        copulas=tuple((str(k), str(v)) for k, v in q["copulas"].items()),
        bound_asks=tuple(sorted(((str(k), str(v)) for k, v in q["bound_asks"].items()), key=lambda p: -len(p[0]))),
        rows=_words(q["rows"]), persons=tuple(sorted(_words(q["persons"]), key=len, reverse=True)),
        person=str(q["person"]), parties=tuple(sorted(_words(q["parties"]), key=len, reverse=True)), who=str(q["who"]),
        stop_words=_words(k["stop_words"]), english_stop_words=frozenset(w.casefold() for w in _words(k["english_stop_words"])),
        sample_question=str(m["question"]),
        sample_conversations=tuple(tuple({"role": str(t["role"]), "content": str(t["content"])} for t in turns)
                                   for turns in m["conversations"]),
        tokenizer_samples=_words(m["tokenizer"]),
    )


def _words(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or []))


def _characters(value: Any) -> tuple[str, ...]:
    return tuple(str(value or ""))
