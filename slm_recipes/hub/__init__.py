"""Where a model and its tokenizer come from: a local folder, the bundled SmolLM2, or the Hugging Face cache.

Never a download at run time: a name that resolves to nothing local is one clear error.
"""
