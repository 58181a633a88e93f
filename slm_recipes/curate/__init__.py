"""Curation: check, score, de-duplicate and split distilled QA pairs into the training dataset.

Submodules are imported where used, so reading a recipe section does not load the whole stage.
"""
