"""How answers are generated: the recipe's `generation:` section, shared by chat, predict, exports and evaluation."""

from __future__ import annotations

from dataclasses import dataclass

from slm_recipes.core.errors import RecipeError


@dataclass(frozen=True)
class GenerationSettings:
    """How answers are generated; the recipe's `generation:` section (chat, predict, exports) is one of these.

    Args:
        max_new_tokens: Longest answer, in tokens.
        temperature: 0 = greedy (the same answer every time: numbers stay the ones training taught).
        top_p: Nucleus sampling share, when temperature > 0.
        repetition_penalty: Hugging Face repetition penalty (1.0 = none); Ollama's repeat_penalty.
        batch_size: Questions generated together (left-padded).
        grounded_numbers: Open-book answers can state only numbers that the passages or the question contain
            (the model still chooses which); closed-book answers are never constrained.
    """

    max_new_tokens: int = 96
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    batch_size: int = 8
    grounded_numbers: bool = True

    def __post_init__(self) -> None:
        check_sampling("generation", self.max_new_tokens, self.temperature, self.top_p, self.repetition_penalty,
                       self.batch_size)


def check_sampling(section: str, max_new_tokens: int, temperature: float, top_p: float, repetition_penalty: float,
                   batch_size: int) -> None:
    """The checks of generation settings, named after the recipe section that holds them."""
    if max_new_tokens < 1:
        raise RecipeError(f"{section}.max_new_tokens must be at least 1, got {max_new_tokens}")
    if temperature < 0:
        raise RecipeError(f"{section}.temperature must be 0 (greedy) or more, got {temperature}")
    if not 0 < top_p <= 1:
        raise RecipeError(f"{section}.top_p must be in (0, 1], got {top_p}")
    if repetition_penalty <= 0:
        raise RecipeError(f"{section}.repetition_penalty must be above 0, got {repetition_penalty}")
    if batch_size < 1:
        raise RecipeError(f"{section}.batch_size must be at least 1, got {batch_size}")
