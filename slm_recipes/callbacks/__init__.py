"""Side jobs of a run, named in recipes as `slm_recipes.callbacks.<Name>` (each imported on first use)."""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"SaveAdapter": "adapter_export", "ModelExport": "model_export",
          "LogLineProgress": "log_lines", "QAEvaluation": "qa_evaluation", "TokenThroughput": "token_throughput"}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
