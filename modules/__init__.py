"""LightningModules, named in recipes as `modules.<Name>` and installed as `slm_recipes.modules`.

The module is imported on first use, so `lora` and `loading` load without Lightning.
"""

from __future__ import annotations

from typing import Any

__all__ = ["QLoRACausalLM"]


def __getattr__(name: str) -> Any:
    if name == "QLoRACausalLM":
        from slm_recipes.modules.qlora_causal_lm import QLoRACausalLM

        return QLoRACausalLM
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
