"""The GGUF types a recipe may ask for: one list for the recipe's checks, the writer and the quantizer."""

from __future__ import annotations

#: Written unquantized; verified to agree with the merged model on every next token but near-ties.
FLOAT_TYPES = ("f32", "f16", "bf16")
#: Written by the `gguf` package, one tensor at a time.
WRITTEN_TYPES = (*FLOAT_TYPES, "q8_0", "q5_0", "q5_1", "q4_0", "q4_1")
#: Made by llama.cpp's own quantizer (the optional llama-cpp-python binding) from an f16 file.
K_QUANTS = ("q4_k_m", "q5_k_m", "q6_k")
ALL_TYPES = (*WRITTEN_TYPES, *K_QUANTS)
