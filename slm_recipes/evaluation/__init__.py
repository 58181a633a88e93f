"""QA evaluation: questions, metrics (numbers scored strictly) and the base-vs-tuned report.

Submodules are imported where used, so reading a recipe section does not load the whole stage.
"""
