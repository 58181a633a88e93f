"""The passages an index holds: whole chunks, or their sentences with the article or chapter they belong to.

Sentence passages keep an open-book prompt short (three of them cost what one chunk does) and put
the number a question asks for near the top. A sentence carries the label of its article
(第八条) or chapter (第二章 住宿费) when it does not start with one, so a clause such as
`（一）A类人员每晚不超过500元` still says what it is about. Sentences repeated by chunk overlap are
kept once, with their first chunk.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from slm_recipes.text.headings import ARTICLE_NUMBER, CHAPTER_TITLE, SECTION_HEADING

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n")
_LONG = 160  # characters: a longer sentence (a clause list) is cut at its semicolons
_SHORT = 6  # characters: a shorter piece (a bare heading number) joins the next one
_ARTICLE_LABEL = re.compile(rf"^\s*({ARTICLE_NUMBER})")


@dataclass(frozen=True)
class Passage:
    id: str  # the chunk id, or `<chunk id>#<n>` for its n-th sentence
    chunk_id: str
    doc: str
    pages: tuple[int, int]
    text: str  # what the model reads, label included

    def to_record(self) -> dict[str, Any]:
        return {**asdict(self), "pages": list(self.pages)}

    def source_record(self) -> dict[str, Any]:
        """What an answer names as its source (predict's `sources`, the server's): chunk, passage, document, pages, text."""
        return {"chunk_id": self.chunk_id, "passage": self.id, "doc": self.doc, "pages": list(self.pages),
                "text": self.text}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Passage:
        return cls(id=record["id"], chunk_id=record["chunk_id"], doc=record["doc"],
                   pages=tuple(record.get("pages") or (0, 0)), text=record["text"])

    @property
    def source(self) -> str:
        """Where it comes from, for a reader: `reimbursement_rules.pdf p.3` (or pp.3-4)."""
        first, last = self.pages
        where = f"p.{first}" if first == last else f"pp.{first}-{last}"
        return f"{Path(self.doc).name} {where}" if first else Path(self.doc).name


def passages_of(chunks: list[dict[str, Any]], unit: str) -> list[Passage]:
    """The passages of `chunks` (records of chunks.jsonl, in order) for the unit `chunk` or `sentence`."""
    out: list[Passage] = []
    seen: set[tuple[str, str]] = set()
    for chunk in chunks:
        pages = tuple(chunk.get("pages") or (0, 0))
        pieces = [chunk["text"].strip()] if unit == "chunk" else _sentences(chunk["text"])
        for n, text in enumerate(pieces):
            key = (str(chunk.get("doc", "")), text)
            if not text or key in seen:
                continue
            seen.add(key)
            pid = str(chunk["id"]) if unit == "chunk" else f"{chunk['id']}#{n}"
            out.append(Passage(id=pid, chunk_id=str(chunk["id"]), doc=str(chunk.get("doc", "")), pages=pages, text=text))
    return out


def _sentences(text: str) -> list[str]:
    """The chunk's sentences, each prefixed with the article or chapter it sits in unless it starts with it."""
    out: list[str] = []
    chapter = article = ""
    pending = ""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if SECTION_HEADING.match(line):
            title = CHAPTER_TITLE.match(line)
            chapter, article = (title.group(0) if title else line[:24]), ""
        if label := _ARTICLE_LABEL.match(line):
            article = label.group(1)
        starts_article = bool(label)
        for k, sentence in enumerate(_split_line(line)):
            piece = pending + sentence
            if len(piece) < _SHORT:
                pending = piece
                continue
            pending = ""
            prefix = "" if (k == 0 and starts_article) else (article or chapter)
            out.append(f"{prefix} {piece}" if prefix and not piece.startswith(prefix) else piece)
    if pending:
        out.append(pending)
    return out


def _split_line(line: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(line) if p and p.strip()]
    out: list[str] = []
    for part in parts:
        if len(part) > _LONG:
            out += [p for p in re.split(r"(?<=[；;])", part) if p.strip()]
        else:
            out.append(part)
    return out
