"""The `distill:` section of a recipe."""

from __future__ import annotations

from dataclasses import dataclass, field

from slm_recipes.core.errors import RecipeError

STAGES = ("numeric", "general")


@dataclass(frozen=True)
class DistillConfig:
    """Which teacher turns the chunks into QA pairs, and how.

    Args:
        output: The distilled.jsonl to write (atomically); default data/<name>/distilled.jsonl. Failures go
            beside it (`<name>.failures.jsonl`) and the journal of an unfinished run to `<name>.journal`.
        teachers: Teachers in fallback order: `extractive` (offline, no LLM), `gemini`, `zhipu`,
            `openai_compatible`. A chunk goes to the next teacher only when the previous one gave up.
        model: Model name for the API teachers; None means each teacher's default.
        base_url: Endpoint for the API teachers; `openai_compatible` needs one (OpenAI itself: https://api.openai.com/v1).
        keys_file: File with the API keys (a key pool), outside the repository; None means the environment.
        concurrency: Requests in flight at once.
        max_wait_s: Longest stretch every key of a teacher may be cooling down after rate limits with no request
            succeeding; past it the stage stops (a used-up quota looks like this), saying so.
        temperature: Sampling temperature of the API teachers.
        stages: Stages in the order they run (numeric, general); each record carries its stage.
        numeric_share: Required share of numeric questions, written into the prompts.
        prompts_dir: Folder whose files replace the default prompts of the same name
            (system.txt, numeric.txt, general.txt, good_examples.txt, bad_examples.txt).
        cache_dir: Per-chunk replies, keyed by chunk text, prompts, teachers and settings; default
            data/<name>/cache/distill.
    """

    output: str | None = None
    teachers: list[str] = field(default_factory=lambda: ["extractive"])
    model: str | None = None
    base_url: str | None = None
    keys_file: str | None = None
    concurrency: int = 8
    max_wait_s: float = 600.0
    temperature: float = 0.1
    stages: list[str] = field(default_factory=lambda: list(STAGES))
    numeric_share: float = 0.3
    prompts_dir: str | None = None
    cache_dir: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "teachers", list(self.teachers or ["extractive"]))
        object.__setattr__(self, "stages", list(self.stages or STAGES))
        unknown = [s for s in self.stages if s not in STAGES]
        if unknown:
            raise RecipeError(f"distill.stages: {unknown} — use numeric and/or general")
        if self.concurrency < 1:
            raise RecipeError(f"distill.concurrency must be at least 1, got {self.concurrency}")
        if "openai_compatible" in self.teachers and not self.base_url:
            raise RecipeError("the openai_compatible teacher needs distill.base_url (e.g. http://localhost:11434/v1 for "
                              "Ollama, https://api.openai.com/v1 for OpenAI itself)")
        if self.max_wait_s <= 0:
            raise RecipeError(f"distill.max_wait_s must be above 0, got {self.max_wait_s}")
        if not 0 <= self.numeric_share <= 1:
            raise RecipeError(f"distill.numeric_share must be a share in [0, 1], got {self.numeric_share}")
