"""Document ingestion: PDF, TXT and Markdown sources → chunks.jsonl (see DESIGN.md, Chunk contract)."""

from slm_recipes.ingest.config import IngestConfig
from slm_recipes.ingest.pipeline import run_ingest
from slm_recipes.ingest.report import DocReport, IngestReport

__all__ = ["DocReport", "IngestConfig", "IngestReport", "run_ingest"]
