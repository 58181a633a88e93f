"""The distill stage: chunks.jsonl → QA pairs (distilled.jsonl) from a teacher LLM or the offline extractive teacher.

Submodules are imported where used, so reading a recipe section does not load the whole stage.
"""
