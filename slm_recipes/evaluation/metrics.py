"""QA metrics as torchmetrics `Metric`s (sum states, so they reduce correctly across devices).

Every numeric comparison goes through `slm_recipes.text.numbers` (3万元 = 30000元, 百分之五十 = 50%),
the same normalisation curation uses. The per-question checks are plain functions, shared by
the metrics and the per-question report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import torch
from torchmetrics import Metric

from slm_recipes.evaluation.keywords import keywords_present, normalise, reference_keywords
from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.numbers import Quantity, extract_quantities, quantity_in

# --- per-question checks ------------------------------------------------------------------------------


def missing_numbers(answer: str, reference: str) -> list[Quantity]:
    """The reference's quantities that the answer does not state with the same value and unit."""
    stated = extract_quantities(answer)
    return [q for q in extract_quantities(reference) if not quantity_in(q, stated)]


def invented_numbers(answer: str, reference: str, source: str = "", question: str = "") -> list[Quantity]:
    """Quantities in the answer found in neither the reference, the source chunk nor the question."""
    known = extract_quantities(reference) + extract_quantities(source) + extract_quantities(question)
    return [q for q in extract_quantities(answer) if not quantity_in(q, known)]


def extra_numbers(answer: str, reference: str, question: str = "") -> list[Quantity]:
    """Quantities in the answer beyond those of the reference and the question (a dumped passage states them)."""
    known = extract_quantities(reference) + extract_quantities(question)
    return [q for q in extract_quantities(answer) if not quantity_in(q, known)]


def numerically_strict(answer: str, reference: str, question: str = "") -> bool:
    """Every reference number stated, and no further quantity beyond the reference's and the question's."""
    return not missing_numbers(answer, reference) and not extra_numbers(answer, reference, question)


def missing_keywords(answer: str, reference: str, question: str, lexicon: Lexicon) -> list[str]:
    keywords = reference_keywords(reference, question, lexicon)
    return [k for k, present in zip(keywords, keywords_present(keywords, answer)) if not present]


def is_numeric(reference: str) -> bool:
    return bool(extract_quantities(reference))


def strictly_correct(answer: str, reference: str, question: str, lexicon: Lexicon) -> bool:
    """Numeric questions: every number right (value and unit). Others: every reference keyword present."""
    if is_numeric(reference):
        return not missing_numbers(answer, reference)
    return not missing_keywords(answer, reference, question, lexicon)


_SAME_CHAR = re.compile(r"(.)\1{7,}")  # 8+ of one character: 800000000…, ！！！！！！！！
_LOOP = re.compile(r"(.{2,40}?)\1{2,}", re.DOTALL)  # a phrase three times in a row


def format_problems(answer: str, question: str = "", ended: bool | None = True) -> list[str]:
    """Why an answer is badly formed: empty, run-on (no end-of-turn), loop, echo of the question."""
    problems = []
    text = normalise(answer)
    if not text:
        return ["empty"]
    if ended is False:
        problems.append("run-on")
    if _has_loop(answer):
        problems.append("loop")
    q = _bare(question)
    a = _bare(answer)
    if q and ((len(a) >= 4 and a in q) or (q in a and len(a) - len(q) < 4)):  # "会" may answer "会以现金支付吗？"
        problems.append("echo")
    return problems


def _has_loop(text: str) -> bool:
    for match in _SAME_CHAR.finditer(text):
        if not (match.group(1) == "0" and len(match.group(0)) <= 9):  # 1亿 = 100000000 is a number
            return True
    for match in _LOOP.finditer(text):
        unit = match.group(1)
        if len(match.group(0)) >= 6 and not re.fullmatch(r"[\d,.\s]+", unit):  # 1,000,000,000 is a number
            return True
    return False


def _bare(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def number_set(answer: str) -> frozenset[tuple[str, str]]:
    return frozenset((q.value, q.unit) for q in extract_quantities(answer))


# --- metrics ------------------------------------------------------------------------------------------


class _Share(Metric):
    """hits / total, both summed over batches and devices; NaN when nothing was counted."""

    full_state_update = False
    higher_is_better = True
    is_differentiable = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.add_state("hits", default=torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("total", default=torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")

    def _count(self, hits: float, total: int) -> None:
        self.hits += hits
        self.total += total

    def compute(self) -> torch.Tensor:
        return self.hits / self.total if self.total > 0 else torch.tensor(float("nan"), dtype=torch.float64)


def _questions(questions: Sequence[str] | None, n: int) -> Sequence[str]:
    return questions if questions is not None else [""] * n


class NumericExactMatch(_Share):
    """Share of numeric questions (the reference states a number) whose answer states every reference
    number with the same value and unit."""

    def update(self, answers: Sequence[str], references: Sequence[str]) -> None:
        pairs = [(a, r) for a, r in zip(answers, references, strict=True) if is_numeric(r)]
        self._count(sum(not missing_numbers(a, r) for a, r in pairs), len(pairs))


class NumericStrict(_Share):
    """Share of numeric questions answered with every reference number and no other quantity (beyond the
    question's): an answer that dumps its passage is not right."""

    def update(self, answers: Sequence[str], references: Sequence[str], questions: Sequence[str] | None = None) -> None:
        questions = _questions(questions, len(answers))
        rows = [(a, r, q) for a, r, q in zip(answers, references, questions, strict=True) if is_numeric(r)]
        self._count(sum(numerically_strict(a, r, q) for a, r, q in rows), len(rows))


class _KeywordShare(_Share):
    """A share that reads reference keywords, which the lexicon's stop words are not."""

    def __init__(self, lexicon: Lexicon, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lexicon = lexicon


class StrictAccuracy(_KeywordShare):
    """Numeric questions: numeric exact match; others: every reference keyword present."""

    def update(self, answers: Sequence[str], references: Sequence[str], questions: Sequence[str] | None = None) -> None:
        questions = _questions(questions, len(answers))
        self._count(sum(strictly_correct(a, r, q, self.lexicon) for a, r, q in zip(answers, references, questions, strict=True)),
                    len(answers))


class KeywordCoverage(_KeywordShare):
    """Mean share of the reference keywords present in the answer (questions with keywords only)."""

    def update(self, answers: Sequence[str], references: Sequence[str], questions: Sequence[str] | None = None) -> None:
        questions = _questions(questions, len(answers))
        shares = []
        for a, r, q in zip(answers, references, questions, strict=True):
            keywords = reference_keywords(r, q, self.lexicon)
            if keywords:
                shares.append(sum(keywords_present(keywords, a)) / len(keywords))
        self._count(sum(shares), len(shares))


class AnswerFormat(_Share):
    """Share of well-formed answers: ended at the end-of-turn token, no loop, not an echo of the question."""

    def update(self, answers: Sequence[str], questions: Sequence[str] | None = None,
               ended: Sequence[bool] | None = None) -> None:
        questions = _questions(questions, len(answers))
        ended = ended if ended is not None else [True] * len(answers)
        self._count(sum(not format_problems(a, q, e) for a, q, e in zip(answers, questions, ended, strict=True)),
                    len(answers))


class HallucinatedNumbers(_Share):
    """Share of answers stating at least one number found in neither the reference nor the source chunk
    (nor the question). Lower is better."""

    higher_is_better = False

    def update(self, answers: Sequence[str], references: Sequence[str], sources: Sequence[str] | None = None,
               questions: Sequence[str] | None = None) -> None:
        sources = _questions(sources, len(answers))
        questions = _questions(questions, len(answers))
        rows = zip(answers, references, sources, questions, strict=True)
        self._count(sum(bool(invented_numbers(a, r, s, q)) for a, r, s, q in rows), len(answers))


class NumberConsistency(_Share):
    """Share of questions whose N sampled answers (temperature > 0) state the same set of numbers."""

    def update(self, samples: Sequence[Sequence[str]]) -> None:
        groups = [s for s in samples if len(s) > 1]
        self._count(sum(len({number_set(a) for a in s}) == 1 for s in groups), len(groups))


# --- the whole set, overall and by question type ------------------------------------------------------

GROUPS = {"qa": None, "qa_numeric": True, "qa_general": False}  # tag prefix -> numeric questions only / others only


class QAMetrics(torch.nn.Module):
    """Every metric above for all questions (`qa/…`), numeric ones (`qa_numeric/…`) and the rest (`qa_general/…`)."""

    def __init__(self, lexicon: Lexicon) -> None:
        super().__init__()
        self.groups = torch.nn.ModuleDict({group: torch.nn.ModuleDict({
            "numeric_exact_match": NumericExactMatch(), "numeric_strict": NumericStrict(),
            "strict_accuracy": StrictAccuracy(lexicon),
            "keyword_coverage": KeywordCoverage(lexicon), "format": AnswerFormat(),
            "hallucinated_numbers": HallucinatedNumbers(), "number_consistency": NumberConsistency(),
        }) for group in GROUPS})

    def update(self, questions: Sequence[str], references: Sequence[str], answers: Sequence[str],
               ended: Sequence[bool], sources: Sequence[str], samples: Sequence[Sequence[str]]) -> None:
        """`samples[i]`: question i's answers sampled at temperature > 0 (empty when not sampled)."""
        for group, numeric in GROUPS.items():
            keep = [i for i, r in enumerate(references) if numeric is None or is_numeric(r) == numeric]
            q, r, a = [questions[i] for i in keep], [references[i] for i in keep], [answers[i] for i in keep]
            metrics = self.groups[group]
            metrics["numeric_exact_match"].update(a, r)
            metrics["numeric_strict"].update(a, r, q)
            metrics["strict_accuracy"].update(a, r, q)
            metrics["keyword_coverage"].update(a, r, q)
            metrics["format"].update(a, q, [ended[i] for i in keep])
            metrics["hallucinated_numbers"].update(a, r, [sources[i] for i in keep], q)
            metrics["number_consistency"].update([samples[i] for i in keep])

    def compute(self) -> dict[str, float]:
        """`group/metric` -> value, leaving out metrics with nothing to count (e.g. no numeric question)."""
        values = {f"{group}/{name}": float(metric.compute()) for group, metrics in self.groups.items()
                  for name, metric in metrics.items()}
        return {name: value for name, value in values.items() if not math.isnan(value)}

    def reset(self) -> None:
        for metrics in self.groups.values():
            for metric in metrics.values():
                metric.reset()
