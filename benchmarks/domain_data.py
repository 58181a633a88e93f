"""What the offline pipeline makes of each domain document, and whether every example fits the model.

For each domain recipe (the demo's handbook, teaching, service; the real regulations annual_leave and
women_workers) with the demo's model size (SmolLM2-135M, max_length 384) it runs the recipe's data preparation
(ingest → extractive distill → curate → index) in a fresh folder and the DataModule's setup (RAFT passages,
tokenised), then reads the curate report, the kept pairs and the DataModule's statistics:

- numeric coverage: numeric facts (a number with its unit in a sentence) stated by a kept training pair;
- article coverage: articles (第X条) with a kept pair taken from them;
- rule pairs: kept pairs of the `general` stage (a rule without a number);
- malformed / unfocused: pairs curation rejected for these reasons, and their share of all pairs made;
- forms per fact: distinct kept questions per answer (a fact), on average;
- copied words: share of a question's words (jieba, no punctuation) that its answer, the source's clauses, holds
  too (lower is better: a person's words, not the document's);
- dropped for length: examples longer than max_length after passages are cut around the gold sentence and
  answers focused; passages cut / answers focused: how many examples needed that to fit.

    python benchmarks/domain_data.py            # SLM_MODELS_DIR defaults to the repository's models/
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOMAINS = ("handbook", "teaching", "service", "annual_leave", "women_workers")
SIZE = "recipes/models/smollm2-135m.yaml"


def measure(domain: str, folder: Path) -> dict[str, float]:
    from slm_recipes.cli.training import load_training_cli

    cwd = Path.cwd()
    os.chdir(folder)  # the run's data/ goes here; the recipe's own files are found beside it
    try:
        cli = load_training_cli(["--config", str(REPO / f"recipes/domains/{domain}.yaml"), "--config", str(REPO / SIZE)])
        data = cli.datamodule
        data.prepare_data()
        data.setup("fit")
        paths = data.stages.paths
        report = json.loads(paths.data_report_json.read_text(encoding="utf-8"))
        kept = [json.loads(line) for split in ("train", "val", "test")
                for line in paths.split(split).read_text(encoding="utf-8").splitlines()]
    finally:
        os.chdir(cwd)
    stats, made = data.stats, report["total"]
    coverage = report["fact_coverage"].values()
    facts, covered = sum(c["facts"] for c in coverage), sum(c["covered"] for c in coverage)
    articles, with_pair = sum(c["articles"] for c in coverage), sum(c["articles_covered"] for c in coverage)
    forms: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in kept:
        forms[(record["chunk_id"], record["answer"])].add(record["question"])
    reasons = report["reasons"]
    return {"pairs made": made, "pairs kept": len(kept), "rule pairs": sum(r.get("stage") == "general" for r in kept),
            "numeric facts": facts, "numeric coverage": covered / facts if facts else 1.0,
            "articles": articles, "article coverage": with_pair / articles if articles else 1.0,
            "malformed": reasons.get("malformed", 0), "unfocused share": reasons.get("unfocused", 0) / made if made else 0.0,
            "forms per fact": sum(map(len, forms.values())) / len(forms) if forms else 0.0,
            "copied words": _copied(kept), "examples": stats["train_examples"] + stats["val_examples"],
            "dropped for length": stats["dropped_for_length"], "passages cut": stats["passages_cut"],
            "answers focused": stats["answers_focused"]}


def _copied(kept: list[dict]) -> float:
    from slm_recipes.text.segmenter import words

    asked = copied = 0
    for record in kept:
        for word in words(record["question"]):
            if word.strip() and not all(ch in "，。？、；：,.?;:（）()" for ch in word):
                asked += 1
                copied += word in record["answer"]
    return copied / asked if asked else 0.0


def main() -> int:
    os.environ.setdefault("SLM_MODELS_DIR", str(REPO / "models"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    rows = {}
    for domain in DOMAINS:
        with tempfile.TemporaryDirectory() as folder:
            rows[domain] = measure(domain, Path(folder))
    names = list(next(iter(rows.values())))
    print(f"{'':<20}" + "".join(f"{d:>14}" for d in rows))
    for name in names:
        print(f"{name:<20}" + "".join(f"{r[name]:>14.3f}" if isinstance(r[name], float) else f"{r[name]:>14}"
                                      for r in rows.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
