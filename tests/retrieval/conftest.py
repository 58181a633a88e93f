"""The small rules document of builders.py as a chunks.jsonl file."""

from __future__ import annotations

import pytest
from builders import chunk_records, write_jsonl


@pytest.fixture
def chunks_file(tmp_path):
    return write_jsonl(tmp_path / "chunks.jsonl", chunk_records())
