"""`slm serve`: the trained model over an OpenAI-compatible HTTP API, open-book, batched across requests."""
