"""The distill prompts: default files shipped in `prompts/`, each replaceable by a recipe's `prompts_dir`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slm_recipes.core.errors import RecipeError

DEFAULT_DIR = Path(__file__).parent / "prompts"
FILES = ("system.txt", "numeric.txt", "general.txt", "good_examples.txt", "bad_examples.txt")


@dataclass(frozen=True)
class Prompts:
    """The system prompt, one user template per stage, and the few-shot examples they embed."""

    system: str
    stages: dict[str, str]
    good_examples: str
    bad_examples: str
    numeric_share: float = 0.3

    def render(self, chunk: dict[str, Any], stage: str) -> tuple[str, str]:
        """(system prompt, user prompt) for one chunk and stage; `{name}` fields are filled by plain replacement,
        so JSON braces in the templates need no escaping."""
        if stage not in self.stages:
            raise RecipeError(f"distill: no prompt for stage {stage!r} (have {', '.join(sorted(self.stages))})")
        pages = chunk.get("pages") or []
        fields = {
            "numeric_share": f"{self.numeric_share:.0%}",
            "good_examples": self.good_examples,
            "bad_examples": self.bad_examples,
            "doc": str(chunk.get("doc", "")),
            "pages": "–".join(str(p) for p in dict.fromkeys(pages)),
            "text": chunk["text"],
        }
        user = self.stages[stage]
        for name, value in fields.items():
            user = user.replace("{" + name + "}", value)
        return self.system, user


def prompt_files(prompts_dir: str | None) -> list[Path]:
    """The file each prompt is read from: the recipe's own in `prompts_dir`, else the default."""
    files = []
    for name in FILES:
        custom = Path(prompts_dir) / name if prompts_dir else None
        files.append(custom if custom is not None and custom.is_file() else DEFAULT_DIR / name)
    return files


def load_prompts(prompts_dir: str | None, numeric_share: float = 0.3) -> Prompts:
    """Default prompt files, each replaced by the file of the same name in `prompts_dir` when it has one."""
    if prompts_dir is not None and not Path(prompts_dir).is_dir():
        raise RecipeError(f"distill.prompts_dir: {prompts_dir} is not a folder")
    if not 0.0 <= numeric_share <= 1.0:
        raise RecipeError(f"distill.numeric_share must be between 0 and 1, got {numeric_share}")
    texts = {path.name: path.read_text(encoding="utf-8").strip() for path in prompt_files(prompts_dir)}
    return Prompts(
        system=texts["system.txt"],
        stages={"numeric": texts["numeric.txt"], "general": texts["general.txt"]},
        good_examples=texts["good_examples.txt"],
        bad_examples=texts["bad_examples.txt"],
        numeric_share=numeric_share,
    )
