"""Whether an answer states only the fact its question asks: the `unfocused` check.

A question asks for one fact: one number (or one range, `1000元以上5000元以下`), or a rule with none. The numbers
an answer may state besides it are those the question names itself (its conditions: `累计工作已满10年的…`). An
answer that states two or more facts its question never names copies a sentence whichever number was asked;
trained on it, a model learns to recite sentences instead of answering.
"""

from __future__ import annotations

from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.numbers import Quantity, extract_quantities, quantity_in

ALLOWED = 1  # facts an answer may state that its question does not name: the one it asks for


def unasked_facts(question: str, answer: str, lexicon: Lexicon,
                  answer_quantities: list[Quantity] | None = None) -> list[str]:
    """The numeric facts of `answer` its question does not name, a range as one (its text as written)."""
    asked = [q for q in extract_quantities(question) if q.unit]
    found = [q for q in (extract_quantities(answer) if answer_quantities is None else answer_quantities) if q.unit]
    facts: list[str] = []
    counted: list[Quantity] = []
    previous: Quantity | None = None
    for q in found:
        if quantity_in(q, asked) or quantity_in(q, counted):  # named by the question, or said again (50%，五成)
            previous = None
            continue
        counted.append(q)
        joined = previous is not None and answer[previous.span[1]:q.span[0]].strip() in lexicon.range_joins
        if joined:
            facts[-1] = answer[previous.span[0]:q.span[1]]
        else:
            facts.append(q.text)
        previous = None if joined else q
    return facts


def focus_problem(question: str, answer: str, lexicon: Lexicon, answer_quantities: list[Quantity] | None = None) -> str:
    """Why the answer is unfocused, "" when it is not."""
    extra = unasked_facts(question, answer, lexicon, answer_quantities)
    if len(extra) <= ALLOWED:
        return ""
    return f"states {len(extra)} facts the question does not name: {', '.join(extra[:4])}"
