"""LightningDataModules, named in recipes as `datamodules.<Name>` and installed as `slm_recipes.datamodules`.

The DataModule is imported on first use, so the readers and renderers beside it (formats,
chat_encoding, splits) load without Lightning.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DistilledQADataModule"]


def __getattr__(name: str) -> Any:
    if name == "DistilledQADataModule":
        from slm_recipes.datamodules.distilled_qa import DistilledQADataModule

        return DistilledQADataModule
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
