"""Chunk ids: the same document bytes, chunking settings and span give the same id, on any machine."""

from __future__ import annotations

import hashlib


def chunk_id(doc_sha256: str, chunking_key: str, span: tuple[int, int]) -> str:
    return hashlib.sha256(f"{doc_sha256}|{chunking_key}|{span[0]}:{span[1]}".encode()).hexdigest()[:16]
