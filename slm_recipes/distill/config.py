"""The `distill:` section of a recipe."""

from __future__ import annotations


class DistillConfig:
    """Settings of the distill stage; jsonargparse exposes each parameter as `distill.<name>`."""

    def __init__(
        self,
        chunks: str = "data/chunks.jsonl",
        output: str = "data/distilled.jsonl",
        teachers: list[str] | None = None,
        model: str | None = None,
        base_url: str | None = None,
        keys_file: str | None = None,
        concurrency: int = 8,
        temperature: float = 0.1,
        stages: list[str] | None = None,
        numeric_share: float = 0.3,
        prompts_dir: str | None = None,
        cache_dir: str = "data/cache/distill",
    ) -> None:
        """Describe which teacher turns the chunks into QA pairs, and how.

        Args:
            chunks: The chunks.jsonl written by ingest.
            output: Path of the distilled.jsonl to write (atomically); failures go beside it
                (`<name>.failures.jsonl`) and the journal of an unfinished run to `<name>.journal`.
            teachers: Teachers in fallback order: `extractive` (offline, no LLM), `gemini`, `zhipu`,
                `openai_compatible`. A chunk goes to the next teacher only when the previous one gave up.
            model: Model name for the API teachers; None means each teacher's default.
            base_url: Endpoint for the API teachers (`openai_compatible` needs one).
            keys_file: File with one API key per line (a key pool); None means the teacher's environment variable.
            concurrency: Requests in flight at once.
            temperature: Sampling temperature of the API teachers.
            stages: Stages in the order they run; each record carries its stage.
            numeric_share: Required share of numeric questions, written into the prompts.
            prompts_dir: Folder whose files replace the default prompts of the same name
                (system.txt, numeric.txt, general.txt, good_examples.txt, bad_examples.txt).
            cache_dir: Per-chunk results, keyed by chunk text, prompts, teachers and settings.
        """
        self.chunks = chunks
        self.output = output
        self.teachers = list(teachers or ["extractive"])
        self.model = model
        self.base_url = base_url
        self.keys_file = keys_file
        self.concurrency = concurrency
        self.temperature = temperature
        self.stages = list(stages or ["numeric", "general"])
        self.numeric_share = numeric_share
        self.prompts_dir = prompts_dir
        self.cache_dir = cache_dir
