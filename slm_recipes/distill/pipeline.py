"""The distill stage end to end: chunks.jsonl → staged teacher requests (concurrent, cached, resumable) → distilled.jsonl."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slm_recipes.core.atomic import AtomicJsonlWriter
from slm_recipes.core.errors import RecipeError, RunFailed
from slm_recipes.core.jsonl import read_records
from slm_recipes.core.progress import Progress
from slm_recipes.core.run_lock import output_lock
from slm_recipes.core.run_paths import RunPaths
from slm_recipes.distill.cache import Journal, ReplyCache, unit_key
from slm_recipes.distill.config import DistillConfig
from slm_recipes.distill.key_states import load_key_states, save_key_states
from slm_recipes.distill.keys import KeyPool, NoUsableKey
from slm_recipes.distill.prompts import load_prompts
from slm_recipes.distill.report import DistillReport
from slm_recipes.distill.teacher import Teacher, TeacherFailed, TeacherRequest
from slm_recipes.text.numbers import extract_quantities

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Unit:
    """One chunk in one stage: one request (per teacher tried)."""

    key: str
    chunk: dict[str, Any]
    stage: str
    system: str
    user: str


def read_chunks(path: str | Path) -> list[dict[str, Any]]:
    return [chunk for _, chunk in read_records(path, ("id", "text"), "the chunks of ingest.output; run `slm ingest --config R` first")]


def record_id(chunk_id: str, stage: str, teacher: str, question: str) -> str:
    return hashlib.sha256(f"{chunk_id}|{stage}|{teacher}|{question}".encode()).hexdigest()[:16]


def to_records(unit: Unit, entry: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The QA records of one answered unit, with provenance; and how many pairs were unusable."""
    records, invalid = [], int(entry.get("invalid", 0))
    for pair in entry["pairs"]:
        question = str(pair.get("question") or "").strip() if isinstance(pair, dict) else ""
        answer = str(pair.get("answer") or "").strip() if isinstance(pair, dict) else ""
        if not question or not answer:
            invalid += 1
            continue
        chunk = unit.chunk
        records.append({
            "id": record_id(chunk["id"], unit.stage, entry["teacher"], question),
            "question": question, "answer": answer,
            "chunk_id": chunk["id"], "doc": chunk.get("doc", ""), "pages": chunk.get("pages", []),
            "teacher": entry["teacher"], "teacher_model": entry["model"], "stage": unit.stage,
            "numbers": [q.text for q in extract_quantities(answer)],
        })
    return records, invalid


class NoTeacherLeft(RunFailed):
    """Every teacher of the chain has no usable key: the stage stops instead of failing chunk after chunk."""


def ask(teachers: Sequence[Teacher], unit: Unit, temperature: float, cache: ReplyCache,
        dead: dict[str, str]) -> dict[str, Any]:
    """Try the live teachers in order; the first reply is cached and returned, else the reasons each gave up.

    A teacher left with no usable key joins `dead` (name -> why) and is skipped from then on; with every
    teacher dead, NoTeacherLeft stops the stage. No reply and no error of a teacher crashes the run.
    """
    errors = []
    request = TeacherRequest(chunk=unit.chunk, stage=unit.stage, system_prompt=unit.system, user_prompt=unit.user,  # type: ignore[arg-type]
                             temperature=temperature)
    for teacher in teachers:
        if teacher.name in dead:
            errors.append({"teacher": teacher.name, "error": dead[teacher.name]})
            continue
        try:
            reply = teacher.generate(request)
        except NoUsableKey as exc:
            dead.setdefault(teacher.name, str(exc))
            errors.append({"teacher": teacher.name, "error": str(exc)})
            continue
        except TeacherFailed as exc:
            log.warning("%s gave up on chunk %s (%s): %s", teacher.name, unit.chunk["id"], unit.stage, exc)
            errors.append({"teacher": teacher.name, "error": str(exc)})
            continue
        except Exception as exc:  # noqa: BLE001 - a teacher's own bug fails this chunk, never the run
            message = _scrubbed(teacher, f"{type(exc).__name__}: {exc}")[:300]
            log.warning("%s failed on chunk %s (%s) unexpectedly: %s", teacher.name, unit.chunk["id"], unit.stage, message)
            errors.append({"teacher": teacher.name, "error": f"unexpected error: {message}"})
            continue
        entry = {"key": unit.key, "teacher": teacher.name, "model": reply.model, "pairs": reply.pairs, "usage": reply.usage,
                 "invalid": reply.invalid}
        if reply.pairs:  # an empty reply is nothing to pay for again: the next run asks anew
            cache.put(unit.key, entry)
        return entry
    if len(dead) == len(teachers):
        raise NoTeacherLeft("; ".join(dict.fromkeys(dead.values())))
    return {"key": unit.key, "failed": errors}


def _scrubbed(teacher: Teacher, text: str) -> str:
    keys = getattr(teacher, "keys", None)
    return keys.scrub(text) if keys is not None else text


class _Run:
    """One distill run's moving parts: the teachers, the cache, the journal, the progress bar and the report."""

    def __init__(self, config: DistillConfig, cache: ReplyCache, teachers: Sequence[Teacher], journal: Journal,
                 report: DistillReport, show_progress: bool) -> None:
        self.config, self.teachers, self.journal, self.report = config, teachers, journal, report
        self.show_progress = show_progress
        self.cache = cache
        self.dead: dict[str, str] = {}  # teachers with no usable key left, and why
        self.done = journal.load()
        self.started, self.pairs = time.monotonic(), 0

    def stage(self, units: list[Unit], stage: str) -> dict[str, dict[str, Any]]:
        """Replies for the units of one stage: from the journal, the cache, or the teachers (concurrently)."""
        results: dict[str, dict[str, Any]] = {}
        pending = []
        for unit in units:
            if unit.key in self.done:
                results[unit.key], self.report.resumed = self.done[unit.key], self.report.resumed + 1
            elif (hit := self.cache.get(unit.key)) is not None:
                results[unit.key], self.report.cached = hit, self.report.cached + 1
                self.journal.append(hit)
            else:
                pending.append(unit)
        bar = Progress(f"distill {stage}", total=len(units), unit="chunks", enabled=self.show_progress)
        with bar, ThreadPoolExecutor(max_workers=self.config.concurrency, thread_name_prefix="distill") as pool:
            bar.advance(len(units) - len(pending), pairs=self.pairs, failed=len(self.report.failures))
            futures = {pool.submit(ask, self.teachers, u, self.config.temperature, self.cache, self.dead): u for u in pending}
            try:
                while futures:
                    finished, _ = wait(futures, return_when=FIRST_COMPLETED)
                    # the answered ones first, so an error in the same batch loses none of them
                    for future in sorted(finished, key=lambda f: f.exception() is not None):
                        self.settle(futures.pop(future), future.result(), results, bar)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)  # requests in flight finish and are kept
                for future, unit in futures.items():
                    if not future.cancelled() and future.exception() is None:
                        self.settle(unit, future.result(), results, bar)
                raise
        return results

    def settle(self, unit: Unit, entry: dict[str, Any], results: dict[str, dict[str, Any]], bar: Progress) -> None:
        """Journal an answered unit (flushed), or record a failed one; update the progress bar."""
        report = self.report
        report.requested += 1
        if "failed" in entry:
            report.failures.append({"chunk_id": unit.chunk["id"], "doc": unit.chunk.get("doc", ""),
                                    "pages": unit.chunk.get("pages", []), "stage": unit.stage, "errors": entry["failed"]})
        else:
            self.journal.append(entry)
            results[unit.key] = entry
            self.pairs += len(entry["pairs"])
            report.usage.update(entry.get("usage") or {})
        rate = report.requested / max(time.monotonic() - self.started, 1e-9)
        bar.advance(1, pairs=self.pairs, failed=len(report.failures), requests_per_s=f"{rate:.1f}")


def run_distill(config: DistillConfig, paths: RunPaths, teachers: Sequence[Teacher],
                show_progress: bool = True) -> DistillReport:
    """Ask the teachers about every chunk, stage by stage, and write the run's distilled pairs atomically.

    Finished (chunk, stage) replies go to the cache and, flushed per chunk, to a journal beside the output:
    a run killed at any moment resumes without asking again for finished chunks and without losing or
    duplicating records. A chunk no teacher answers is listed in the failures file and the report.
    """
    if not teachers:
        raise RecipeError("distill.teachers is empty: name at least one teacher (e.g. [extractive])")
    chunks = read_chunks(paths.chunks)
    prompts = load_prompts(config.prompts_dir, config.numeric_share)
    failures_path, journal_path = paths.distill_failures, paths.distill_journal
    chain = [(t.name, t.model) for t in teachers]
    report = DistillReport(output=str(paths.distilled), failures_file=str(failures_path), chunks=len(chunks),
                           required_numeric_share=config.numeric_share)
    answered: list[tuple[Unit, dict[str, Any]]] = []
    pools = [t.keys for t in teachers if isinstance(getattr(t, "keys", None), KeyPool)]
    states = paths.key_states
    with output_lock(paths.distilled), Journal(journal_path) as journal:
        load_key_states(states, pools, disabled=False)
        try:
            run = _Run(config, ReplyCache(paths.distill_cache_dir), teachers, journal, report, show_progress)
            for stage in config.stages:
                units = []
                for chunk in chunks:
                    system, user = prompts.render(chunk, stage)
                    key = unit_key(chunk["text"], stage, system, user, config.temperature, chain)
                    units.append(Unit(key, chunk, stage, system, user))
                report.units += len(units)
                results = run.stage(units, stage)
                answered += [(u, results[u.key]) for u in units if u.key in results]
        finally:
            if pools:
                save_key_states(states, pools)
        _write(paths.distilled, failures_path, answered, report)
    journal.remove()
    return report


def _write(output: Path, failures_path: Path, answered: list[tuple[Unit, dict[str, Any]]], report: DistillReport) -> None:
    seen: set[str] = set()
    with AtomicJsonlWriter(output) as writer:
        for unit, entry in answered:
            records, invalid = to_records(unit, entry)
            report.invalid_pairs += invalid
            for record in records:
                if record["id"] in seen:
                    continue
                seen.add(record["id"])
                writer.write(record)
                report.records += 1
                report.by_stage[record["stage"]] += 1
                report.by_teacher[record["teacher"]] += 1
                report.numeric_records += bool(record["numbers"])
    if report.failures:
        with AtomicJsonlWriter(failures_path) as writer:
            for failure in report.failures:
                writer.write(failure)
    else:
        failures_path.unlink(missing_ok=True)
    if report.invalid_pairs:
        log.warning("%d teacher pairs had no question or no answer and were skipped", report.invalid_pairs)
    if report.records and report.numeric_share < report.required_numeric_share:
        log.warning("only %.0f%% of the answers state a number (distill.numeric_share asks for %.0f%%)",
                    100 * report.numeric_share, 100 * report.required_numeric_share)
