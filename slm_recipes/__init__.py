"""slm-recipes: documents in, a small local domain-expert chat model out."""

__version__ = "0.1.0"
