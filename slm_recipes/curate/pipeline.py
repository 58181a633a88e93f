"""`run_curate`: distilled.jsonl + chunks.jsonl -> dataset/{train,val,test,rejected}.jsonl and the data report."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from slm_recipes.core.atomic import AtomicJsonlWriter
from slm_recipes.core.errors import RecipeError
from slm_recipes.core.run_lock import output_lock
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.curate import checks as C
from slm_recipes.curate.config import CurateConfig
from slm_recipes.curate.coverage import coverage
from slm_recipes.curate.dedup import near_duplicates
from slm_recipes.curate.records import read_chunks, read_pairs
from slm_recipes.curate.report import CurateReport
from slm_recipes.curate.review import apply_decision, load_decisions
from slm_recipes.curate.scoring import score
from slm_recipes.curate.splits import SPLITS, assign_chunks, assign_variants
from slm_recipes.curate.subjects import Place, misattributed, source_places
from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.numbers import Quantity, extract_quantities
from slm_recipes.text.shingles import shingles


def run_curate(config: CurateConfig, paths: RunPaths, lexicon: Lexicon) -> CurateReport:
    """Check and score every pair, apply human decisions, drop near-duplicates, split the rest by chunk.
    The lexicon says what a well-formed question is and which numbers form one range."""
    with output_lock(paths.split("train")):
        return _curate(config, paths, lexicon)


def _curate(config: CurateConfig, paths: RunPaths, lexicon: Lexicon) -> CurateReport:
    chunks = read_chunks(paths.chunks)
    records = read_pairs(paths.distilled)
    if not records:
        raise RecipeError(f"{paths.distilled} holds no QA pairs to curate; run `slm distill --config R` "
                          "(and check its failures file)")
    for record in records:  # verdicts of an earlier curation are recomputed, never carried over
        for stale in ("checks", "score", "reasons", "review"):
            record.pop(stale, None)
    decisions = load_decisions(paths.decisions)
    report = CurateReport(output_dir=str(paths.dataset_dir), rejected_file=str(paths.split("rejected")),
                          markdown_file=str(paths.data_report), total=len(records), numeric_share_target=config.numeric_share_target,
                          coverage_target=config.coverage_target, split=config.split)

    sources = _SourceCache(chunks)
    reviews = [apply_decision(r, decisions.get(r["id"])) for r in records]
    numbers = [extract_quantities(r["answer"]) for r in records]
    for record, review, found in zip(records, reviews, numbers):
        chunk_q, chunk_s = sources.get(record["chunk_id"])
        wrong_subject = misattributed(record["answer"], sources.places(record["chunk_id"])) if found else []
        record["checks"] = {
            "numeric_grounding": C.numeric_grounding(found, chunk_q, extract_quantities(record["question"]), wrong_subject),
            "numeric_completeness": C.numeric_completeness(record["question"], found),
            "refusal_filler": C.refusal_filler(record["question"], record["answer"]),
            "consistency": C.verdict(True),
            "malformed": C.question_form(record["question"], lexicon),
            "unfocused": C.focus(record["question"], record["answer"], lexicon, found),
        }
        record["score"] = score(record["question"], record["answer"], found, chunk_q, chunk_s)
        if review:
            record["review"] = review
            if review == "corrected":
                record["numbers"] = [q.text for q in found]
    grounded = [i for i, r in enumerate(records) if r["checks"]["numeric_grounding"]["pass"]]
    # a record that failed grounding is out already; it must not take a correct one with it
    for i, other in C.inconsistent([records[i] for i in grounded], [numbers[i] for i in grounded]).items():
        records[grounded[i]]["checks"]["consistency"] = C.verdict(False, f"same question as {other} with other numbers")

    reasons = [_reasons(r, config.min_score) for r in records]
    _mark_duplicates(records, reasons, config.dedup_threshold)
    kept = [r for r, why in zip(records, reasons) if not why]
    rejected = [dict(r, reasons=why) for r, why in zip(records, reasons) if why]

    if config.split == "chunk":
        assignment = assign_chunks([r["chunk_id"] for r in kept], config.split_ratios, config.seed)
        names = [assignment[r["chunk_id"]] for r in kept]
    else:
        names = assign_variants(kept, config.seed)
    by_split: dict[str, list[dict[str, Any]]] = {name: [] for name in SPLITS}
    for record, name in zip(kept, names):
        by_split[name].append(record)
    for name, members in [*by_split.items(), ("rejected", rejected)]:
        with AtomicJsonlWriter(paths.split(name)) as writer:
            for record in members:
                writer.write(record)

    _fill_report(report, records, reasons, kept, numbers, by_split, sources, decisions, reviews)
    report.fact_coverage = {doc: {"facts": c.facts, "covered": c.covered, "share": round(c.share, 4), "uncovered": c.uncovered,
                                  "articles": c.articles, "articles_covered": c.articles_covered,
                                  "articles_share": round(c.articles_share, 4), "articles_uncovered": c.articles_uncovered}
                            for doc, c in coverage(chunks, by_split["train"]).items()}
    report.write(paths.data_report_json, paths.data_report)
    return report


class _SourceCache:
    """Each chunk's quantities and bigrams, computed once however many pairs point at it."""

    def __init__(self, chunks: dict[str, dict[str, Any]]) -> None:
        self.chunks = chunks
        self.cache: dict[str, tuple[list[Quantity] | None, set[str] | None]] = {}
        self.place_cache: dict[str, list[Place]] = {}

    def get(self, chunk_id: str) -> tuple[list[Quantity] | None, set[str] | None]:
        if chunk_id not in self.cache:
            chunk = self.chunks.get(chunk_id)
            self.cache[chunk_id] = (extract_quantities(chunk["text"]), shingles(chunk["text"])) if chunk else (None, None)
        return self.cache[chunk_id]

    def quantities(self, chunk_id: str) -> list[Quantity]:
        return self.get(chunk_id)[0] or []

    def places(self, chunk_id: str) -> list[Place]:
        """The chunk's numbers with the words around each (for the subject check), computed once."""
        if chunk_id not in self.place_cache:
            chunk = self.chunks.get(chunk_id)
            self.place_cache[chunk_id] = source_places(chunk["text"]) if chunk else []
        return self.place_cache[chunk_id]


def _reasons(record: dict[str, Any], min_score: int) -> list[str]:
    """Why a record is rejected (empty: kept). A human decision wins over the checks and the score."""
    review = record.get("review")
    if review == "rejected":
        return ["review_rejected"]
    if review in ("accepted", "corrected"):
        return []
    why = [name for name, v in record["checks"].items() if not v["pass"]]
    return why + (["low_score"] if record["score"] < min_score else [])


def _mark_duplicates(records: list[dict[str, Any]], reasons: list[list[str]], threshold: float) -> None:
    """Among near-duplicate questions keep the best: human-accepted first, then passing records by score,
    then the earlier in the file."""
    def rank(i: int) -> tuple:
        accepted = records[i].get("review") in ("accepted", "corrected")
        return (not accepted, bool(reasons[i]), -records[i]["score"], i)

    order = sorted(range(len(records)), key=rank)
    duplicate_of = near_duplicates([r["question"] for r in records], order, threshold)
    for i, record in enumerate(records):
        if i in duplicate_of:
            record["checks"]["duplicate"] = C.verdict(False, f"near-duplicate of {records[duplicate_of[i]]['id']}")
            if record.get("review") not in ("accepted", "corrected", "rejected"):
                reasons[i].append("duplicate")
        else:
            record["checks"]["duplicate"] = C.verdict(True)


def _fill_report(report: CurateReport, records, reasons, kept, numbers, by_split, sources: _SourceCache, decisions,
                 reviews) -> None:
    report.kept = len(kept)
    report.count_reasons(Counter(reason for why in reasons for reason in why))
    report.splits = {name: len(members) for name, members in by_split.items()}
    report.split_chunks = {name: len({r["chunk_id"] for r in members}) for name, members in by_split.items()}
    numeric_chunks: set[str] = set()
    covered: set[str] = set()
    for record, why, found in zip(records, reasons, numbers):
        report.add_score(record["score"])
        if not why:
            covered.add(record["chunk_id"])
            if found:
                report.numeric_kept += 1
                numeric_chunks.add(record["chunk_id"])
    chunks = sources.chunks
    report.chunks_without_numeric = sum(1 for cid in chunks if cid not in numeric_chunks and sources.quantities(cid))
    coverage: dict[str, dict[str, int]] = defaultdict(lambda: {"chunks": 0, "uncovered": 0})
    for cid, chunk in chunks.items():
        doc = coverage[str(chunk.get("doc", "?"))]
        doc["chunks"] += 1
        doc["uncovered"] += cid not in covered
    report.coverage = dict(sorted(coverage.items()))
    if decisions:
        ids = {r["id"] for r in records}
        counted = Counter(r for r in reviews if r)
        report.review = {**{k: counted.get(k, 0) for k in ("accepted", "corrected", "rejected")},
                         "unknown_ids": sum(1 for i in decisions if i not in ids)}
