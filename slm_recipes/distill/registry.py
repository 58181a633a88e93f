"""Teacher names in `distill.teachers` → teacher objects; an API teacher's SDK is imported only when it is chosen."""

from __future__ import annotations

import importlib

from slm_recipes.core.errors import RecipeError
from slm_recipes.distill.config import DistillConfig
from slm_recipes.distill.extractive import ExtractiveTeacher
from slm_recipes.distill.keys import read_keys_file
from slm_recipes.distill.teacher import Teacher
from slm_recipes.text.lexicon import Lexicon

API_TEACHERS = {
    "gemini": ("slm_recipes.distill.gemini", "GeminiTeacher"),
    "zhipu": ("slm_recipes.distill.zhipu", "ZhipuTeacher"),
    "openai_compatible": ("slm_recipes.distill.openai_compatible", "OpenAICompatibleTeacher"),
}
NAMES = ("extractive", *API_TEACHERS)


def build_teacher(name: str, config: DistillConfig, lexicon: Lexicon) -> Teacher:
    if name == "extractive":
        return ExtractiveTeacher(lexicon)
    if name not in API_TEACHERS:
        raise RecipeError(f"distill.teachers: unknown teacher {name!r}; choose from {', '.join(NAMES)}")
    module_name, class_name = API_TEACHERS[name]
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
        from slm_recipes.distill.keys import KeyPool
    except ImportError as exc:
        raise RecipeError(f"the {name} teacher needs {exc.name or 'its SDK'}: pip install 'slm-recipes[teachers]'") from None
    keys = KeyPool.from_sources(name, config.keys_file, bare_keys=len(api_teachers(config)) == 1,
                                max_wait=config.max_wait_s)
    return cls(config.model, keys, base_url=config.base_url)


def teacher_versions(config: DistillConfig, lexicon: Lexicon) -> list[str]:
    """Each teacher's name and what changes its answers without a setting changing: the extractive teacher's rules
    and lexicon (part of the distill stamp, so new rules make new pairs); an API teacher's model is in the settings."""
    return [f"{name}:{ExtractiveTeacher.version(lexicon)}" if name == "extractive" else name for name in config.teachers]


def api_teachers(config: DistillConfig) -> list[str]:
    return [name for name in config.teachers if name in API_TEACHERS]


def build_teachers(config: DistillConfig, lexicon: Lexicon) -> list[Teacher]:
    """The teachers of `config.teachers`, in fallback order (the extractive one reads the recipe's lexicon)."""
    if not config.teachers:
        raise RecipeError("distill.teachers is empty: name at least one teacher (e.g. [extractive])")
    if config.keys_file and len(api_teachers(config)) > 1:
        bare = read_keys_file(config.keys_file).get("*", [])
        if bare:
            raise RecipeError(f"{config.keys_file}: {len(bare)} key(s) are named for no provider, and the recipe has "
                              f"{len(api_teachers(config))} API teachers ({', '.join(api_teachers(config))}); write "
                              "`provider = key` lines so no key reaches another vendor's endpoint")
    return [build_teacher(name, config, lexicon) for name in config.teachers]
