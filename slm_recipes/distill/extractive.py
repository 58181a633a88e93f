"""The offline extractive teacher: deterministic, no LLM. Every provision of a chunk becomes a fact
(`slm_recipes.distill.provisions`): each number, or range, with the complete clauses that state it, and each rule
without a number; each fact is asked in a few differently worded questions (`slm_recipes.distill.asking`), all
answered by the source's own clauses stating that fact and no other number."""

from __future__ import annotations

from pathlib import Path

from slm_recipes.distill.asking import questions
from slm_recipes.distill.provisions import chunk_facts
from slm_recipes.distill.teacher import TeacherReply, TeacherRequest
from slm_recipes.text.lexicon import Lexicon
from slm_recipes.text.segmenter import initialise


def continues(chunk: dict) -> bool:
    """The chunk starts inside a sentence (so its first one is cut); chunks from before the flag existed: past the start."""
    return bool(chunk["continues"]) if "continues" in chunk else bool((chunk.get("span") or [0])[0])


class ExtractiveTeacher:
    """`extractive` in `distill.teachers`: the demo's teacher and the first stage of every recipe.

    The numeric stage asks about every number, the general stage about every rule without one. Its `model` names
    its rules and its lexicon, so a change of either makes new cache keys and a new distill stamp."""

    name = "extractive"
    rules = "extractive-v4"  # change it when the rules change (v4: forms by subject, row, person, party)

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.model = self.version(lexicon)
        initialise()  # the segmenter's dictionary, loaded before the pipeline's threads ask

    @classmethod
    def version(cls, lexicon: Lexicon) -> str:
        return f"{cls.rules} {Path(lexicon.source).stem}@{lexicon.digest[:8]}"

    def generate(self, request: TeacherRequest) -> TeacherReply:
        numeric = request.stage == "numeric"
        pairs: dict[str, str] = {}
        chunk = request.chunk
        for fact in chunk_facts(chunk["text"], self.lexicon, starts_mid_text=continues(chunk)):
            if fact.numeric == numeric:
                for question in questions(fact, self.lexicon):
                    pairs.setdefault(question, fact.answer)
        return TeacherReply(pairs=[{"question": q, "answer": a} for q, a in pairs.items()], model=self.model)
