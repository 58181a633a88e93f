"""Recipe files as every `slm` command reads them: the bundled base first, then each `--config` in order.

The bundled recipes (`recipes/` in the repository, `slm_recipes/recipes/` when installed) are found
through the installed package, so `slm fit --config demo.yaml` works from any folder. A bundled recipe
names its own documents and question sets relative to the bundled folder; every other path in a
recipe is relative to the folder the command runs in.

The design card names components `modules.X` and `datamodules.X`; those packages are installed as
`slm_recipes.modules` and `slm_recipes.datamodules`, so the merge (`recipe.merge`) rewrites a recipe's
`class_path` with `package_class_path` and `import modules` never reaches a user's own folder of that name.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from slm_recipes.core.errors import RecipeError

BASE = "base.yaml"
#: Sections that only training reads (LightningCLI's own); every other top-level key is a recipe section.
TRAINING_SECTIONS = ("seed_everything", "trainer", "model", "data")
#: Keys of the bundled recipes that name their own files (resolved against the bundled folder).
BUNDLED_PATH_KEYS = (("lexicon",), ("ingest", "sources"), ("data", "init_args", "train_file"), ("data", "init_args", "val_file"),
                     ("data", "init_args", "eval_file"), ("distill", "prompts_dir"), ("evaluation", "chunks_file"))
DESIGN_CARD_PACKAGES = {"modules.": "slm_recipes.modules.", "datamodules.": "slm_recipes.datamodules."}


def bundled_dir() -> Path:
    """The installed package's recipes folder."""
    return Path(str(importlib.resources.files("slm_recipes.recipes")))


def find_recipe(name: str) -> Path:
    """A recipe file by path, else by its name among the bundled recipes (`demo.yaml`, `models/qwen2.5-3b.yaml`)."""
    path = Path(name)
    if path.is_file():
        return path
    for candidate in (bundled_dir() / name, bundled_dir() / f"{name}.yaml"):
        if candidate.is_file() and not path.is_absolute():
            return candidate
    raise RecipeError(f"recipe {name} does not exist (nor is it one of the bundled recipes in {bundled_dir()}); "
                      "check the --config path")


@dataclass(frozen=True)
class RecipeFile:
    path: Path
    content: dict[str, Any]

    @property
    def bundled(self) -> bool:
        return bundled_dir() in self.path.resolve().parents


def read_recipe_file(name: str) -> RecipeFile:
    """Parse one recipe file; a YAML error names the file, line and column."""
    path = find_recipe(name)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise RecipeError(f"{where}: not valid YAML ({problem}); fix the recipe") from None
    except (OSError, UnicodeDecodeError) as err:
        raise RecipeError(f"{path}: cannot read the recipe ({err})") from None
    if not isinstance(content, dict):
        raise RecipeError(f"{path}: a recipe is a mapping of sections (name:, model:, data:, ...), "
                          f"not a {type(content).__name__}")
    recipe = RecipeFile(path, content)
    return RecipeFile(path, _resolve_bundled_paths(content, path.parent)) if recipe.bundled else recipe


def recipe_files(config_args: Sequence[str]) -> list[RecipeFile]:
    """The bundled base recipe, then the given ones, in order."""
    return [read_recipe_file(str(bundled_dir() / BASE)), *(read_recipe_file(name) for name in config_args)]


def package_class_path(value: Any) -> Any:
    """`modules.X` -> `slm_recipes.modules.X` (and datamodules); any other value as it is."""
    if isinstance(value, str):
        for short, owned in DESIGN_CARD_PACKAGES.items():
            if value.startswith(short):
                return owned + value[len(short):]
    return value


def _resolve_bundled_paths(content: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A bundled recipe's own files, as absolute paths when they are in the bundled folder."""
    out = _copy(content)
    for keys in BUNDLED_PATH_KEYS:
        holder = out
        for key in keys[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and keys[-1] in holder:
            value = holder[keys[-1]]
            holder[keys[-1]] = [_beside(v, folder) for v in value] if isinstance(value, list) else _beside(value, folder)
    return out


def _beside(value: Any, folder: Path) -> Any:
    """The bundled file's path: relative to the working folder when under it (a clone), else absolute."""
    if not isinstance(value, str) or Path(value).is_absolute() or not (folder / value).exists():
        return value
    found = (folder / value).resolve()
    try:
        return found.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return found.as_posix()


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
