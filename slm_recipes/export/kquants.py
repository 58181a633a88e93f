"""The k-quants users ask for most (q4_k_m, q5_k_m, q6_k), made by llama.cpp's own quantizer.

The `gguf` package has no k-quant encoder; llama.cpp's `llama_model_quantize` (exposed by the
optional `llama-cpp-python` binding) turns our f16 file into one, keeping its metadata, so the
tokenizer and chat template travel along.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
from pathlib import Path

from slm_recipes.core.atomic import staged_file
from slm_recipes.core.errors import RecipeError
from slm_recipes.export.config import K_QUANTS, WRITTEN_TYPES

# each of K_QUANTS -> llama.cpp's file type
LLAMA_FTYPES = {"q4_k_m": "LLAMA_FTYPE_MOSTLY_Q4_K_M", "q5_k_m": "LLAMA_FTYPE_MOSTLY_Q5_K_M", "q6_k": "LLAMA_FTYPE_MOSTLY_Q6_K"}
INSTALL_HINT = "CMAKE_ARGS=-DGGML_NATIVE=OFF pip install llama-cpp-python"


def require_quantizer(types: list[str]) -> None:
    """Refuse k-quant types when llama.cpp's binding is missing: said before any work (before training, too)."""
    wanted = [t for t in types if t in K_QUANTS]
    if wanted and importlib.util.find_spec("llama_cpp") is None:
        raise RecipeError(f"export.gguf {wanted[0]} needs llama.cpp's quantizer: {INSTALL_HINT}; or drop it from "
                          f"export.gguf ({', '.join(WRITTEN_TYPES)} need nothing more)")


def quantize_with_llama_cpp(source: Path, path: Path, gguf_type: str) -> Path:
    """Quantize the f16/f32 GGUF `source` into `path` (written beside it, then renamed)."""
    require_quantizer([gguf_type])
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, LLAMA_FTYPES[gguf_type])
    params.nthread = os.cpu_count() or 1
    with staged_file(path) as staging:
        status = llama_cpp.llama_model_quantize(str(source).encode(), str(staging).encode(), ctypes.byref(params))
        if status != 0 or not staging.is_file():
            raise RecipeError(f"llama.cpp could not quantize {source} to {gguf_type} (status {status})")
    return path
