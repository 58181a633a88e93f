"""Document ingestion: PDF, TXT and Markdown sources → chunks.jsonl (see DESIGN.md, Chunk contract).

Submodules are imported where used, so reading a recipe section does not load the whole stage.
"""
