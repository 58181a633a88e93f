"""What the offline pipeline makes of each domain document: facts found, how many training pairs cover,
how many answers are the source's own words, and how many subjects or question stems are cut inside a word.

For each domain recipe (the demo's handbook, teaching, service; the real annual_leave and women_workers) it runs ingest → extractive distill →
curate in a fresh folder, then reads the curate report and the teacher's facts:

- facts: numeric facts of the document (a number with its unit in a sentence); covered: stated by a kept
  training pair (the report's `fact_coverage`);
- verbatim: kept answers that occur in their chunk as they are, after a recognised section title
  (`第二章 住宿费` → `住宿费：`) is taken off;
- cut: the extractive teacher's subjects and question stems that do not start and end on word boundaries
  of their sentence (jieba, a number with its unit counted as one word).

    python benchmarks/domain_data.py            # SLM_MODELS_DIR defaults to the repository's models/
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOMAINS = ("handbook", "teaching", "service", "annual_leave", "women_workers")
SIZE = "recipes/models/smollm2-135m.yaml"


def measure(domain: str, folder: Path) -> dict[str, float]:
    from slm_recipes.curate.pipeline import run_curate
    from slm_recipes.distill.extractive import continues, stem_pieces
    from slm_recipes.distill.facts import chunk_facts
    from slm_recipes.distill.pipeline import run_distill
    from slm_recipes.distill.registry import build_teachers
    from slm_recipes.hub.tokenizers import token_counter
    from slm_recipes.ingest.pipeline import run_ingest
    from slm_recipes.recipe.parser import load_recipe
    from slm_recipes.text.lexicon import load_lexicon
    from slm_recipes.text.segmenter import is_word_run

    cwd = Path.cwd()
    os.chdir(folder)  # the run's data/ goes here; the recipe's own files are found beside it
    try:
        recipe = load_recipe(["--config", str(REPO / f"recipes/domains/{domain}.yaml"), "--config", str(REPO / SIZE)])
        run_ingest(recipe.ingest, recipe.paths, token_counter(recipe.model_name), show_progress=False)
        lexicon = load_lexicon(recipe.lexicon)
        run_distill(recipe.distill, recipe.paths, build_teachers(recipe.distill, lexicon), show_progress=False)
        report = run_curate(recipe.curate, recipe.paths)
        chunks = {c["id"]: c for c in map(json.loads, Path(recipe.paths.chunks).read_text(encoding="utf-8").splitlines())}
        kept = [json.loads(line) for split in ("train", "val", "test")
                for line in recipe.paths.split(split).read_text(encoding="utf-8").splitlines()]
    finally:
        os.chdir(cwd)
    facts = sum(c["facts"] for c in report.fact_coverage.values())
    covered = sum(c["covered"] for c in report.fact_coverage.values())
    verbatim = sum(_verbatim(r["answer"], chunks[r["chunk_id"]]["text"]) for r in kept)
    pieces = cut = 0
    for chunk in chunks.values():
        for fact in chunk_facts(chunk["text"], lexicon, starts_mid_text=continues(chunk)):
            for piece in stem_pieces(fact, lexicon):
                pieces += 1
                cut += not is_word_run(piece, fact.subject_from if piece == fact.subject else fact.sentence)
    return {"pairs kept": len(kept), "train": report.splits.get("train", 0), "val": report.splits.get("val", 0),
            "facts": facts, "covered": covered, "coverage": covered / facts if facts else 1.0,
            "verbatim answers": verbatim / len(kept) if kept else 0.0, "pieces": pieces, "cut pieces": cut}


def _verbatim(answer: str, chunk: str) -> bool:
    from slm_recipes.text.headings import CHAPTER_TITLE

    body = answer.rstrip("。")
    titles = [m.group(1).strip() for line in chunk.splitlines() if (m := CHAPTER_TITLE.match(line.strip()))]
    for title in titles:
        body = body.removeprefix(f"{title}：")
    return body in chunk.replace("\n", "")  # a layout line break inside a sentence is no difference


def main() -> int:
    os.environ.setdefault("SLM_MODELS_DIR", str(REPO / "models"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    rows = {}
    for domain in DOMAINS:
        with tempfile.TemporaryDirectory() as folder:
            rows[domain] = measure(domain, Path(folder))
    names = list(next(iter(rows.values())))
    print(f"{'':<18}" + "".join(f"{d:>14}" for d in rows))
    for name in names:
        print(f"{name:<18}" + "".join(f"{r[name]:>14.3f}" if isinstance(r[name], float) else f"{r[name]:>14}"
                                      for r in rows.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
