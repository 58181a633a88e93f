"""The open-book user turn: the retrieved passages, then the question, rendered one way for training and answers.

Passages go best first, whole, while they fit the token budget (the first always goes); each is
numbered so the reader can tell them apart. The labels follow the question's script (Chinese or
not), never the document, so one template serves every recipe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from slm_recipes.retrieval.passages import Passage

_CJK = re.compile(r"[\u3400-\u9fff]")
UNANSWERABLE = {"zh": "所给文档中没有关于这个问题的规定。", "en": "The documents do not state this."}
_LABELS = {"zh": ("参考资料：", "问题："), "en": ("Passages:", "Question:")}


def language(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def unanswerable_answer(question: str, configured: str = "") -> str:
    """What is said when no passage answers: the recipe's sentence, else a fixed one in the question's language."""
    return configured or UNANSWERABLE[language(question)]


def fit_budget(passages: Sequence[Passage], budget: int, count_tokens: Callable[[str], int],
               keep: Passage | None = None) -> list[Passage]:
    """The passages, best first, that fit `budget` tokens (whole ones; the first, and `keep`, always stay)."""
    out: list[Passage] = []
    used = 0
    for passage in passages:
        cost = count_tokens(passage.text)
        if out and used + cost > budget and passage != keep:
            continue
        out.append(passage)
        used += cost
    return out


def open_book_question(question: str, passages: Sequence[Passage]) -> str:
    """The user turn that shows `passages` and asks `question`."""
    head, ask = _LABELS[language(question)]
    lines = [head, *(f"[{n}] {p.text}" for n, p in enumerate(passages, start=1)), "", f"{ask}{question}"]
    return "\n".join(lines)


def with_passages(messages: list[dict[str, str]], passages: Sequence[Passage]) -> list[dict[str, str]]:
    """`messages` with its last user turn replaced by the open-book turn (earlier turns stay as they were)."""
    last = max(i for i, m in enumerate(messages) if m["role"] == "user")
    turn = {"role": "user", "content": open_book_question(messages[last]["content"], passages)}
    return [*messages[:last], turn, *messages[last + 1:]]
