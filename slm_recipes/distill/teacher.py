"""What every teacher (LLM or extractive) takes and returns; the distill pipeline only sees this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Stage = Literal["numeric", "general"]


@dataclass(frozen=True)
class TeacherRequest:
    """One chunk, one stage: the prompts are already rendered from the recipe's prompt files."""

    chunk: dict[str, Any]  # a chunks.jsonl record (id, doc, pages, span, text, ...)
    stage: Stage
    system_prompt: str
    user_prompt: str
    temperature: float = 0.1


@dataclass
class TeacherReply:
    """QA pairs as the teacher gave them ({"question", "answer"}), before provenance is added."""

    pairs: list[dict[str, str]]
    model: str
    usage: dict[str, int] = field(default_factory=dict)
    invalid: int = 0  # pairs of the reply without question or answer text, dropped and counted


class TeacherFailed(Exception):
    """The teacher gave up on this chunk (after its own retries); the pipeline records a failure, never drops silently.

    The message must never contain an API key.
    """


class Teacher(Protocol):
    name: str  # "gemini" | "zhipu" | "openai_compatible" | "extractive"
    model: str

    def generate(self, request: TeacherRequest) -> TeacherReply:
        """Blocking call; the pipeline runs many at once in threads. Raises TeacherFailed."""
        ...
