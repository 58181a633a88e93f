"""Open-book answering: passages of the run's own documents, an index over them, and the prompt that shows them.

The same index, retrieval and rendering serve training (RAFT in the DataModule) and every answer
(`slm chat`, `slm predict`, `slm eval`, the QA evaluation), so the model reads at answer time exactly
what it learned to read.
"""
