"""The `ui:` section of a recipe: where `slm ui` listens, and what an upload may be."""

from __future__ import annotations

from dataclasses import dataclass, field

from slm_recipes.core.addresses import is_loopback
from slm_recipes.core.errors import RecipeError


@dataclass(frozen=True)
class UIConfig:
    """Where the web app listens and what it accepts.

    Args:
        host: Address to bind. Loopback (127.0.0.1) by default; any other address needs a password.
        port: TCP port.
        password_env: Environment variable holding the password the page asks for (user `slm`); needed to bind
            any address but loopback.
        documents_dir: Where uploaded documents go; default data/<name>/documents. Ingest reads them beside
            `ingest.sources`.
        max_upload_mb: Largest uploaded file.
        upload_types: File name endings an upload may have.
    """

    host: str = "127.0.0.1"
    port: int = 7860
    password_env: str = "SLM_UI_PASSWORD"
    documents_dir: str | None = None
    max_upload_mb: float = 50.0
    upload_types: list[str] = field(default_factory=lambda: [".pdf", ".txt", ".md"])

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise RecipeError(f"ui.port must be a TCP port (0-65535), got {self.port}")
        if self.max_upload_mb <= 0:
            raise RecipeError(f"ui.max_upload_mb must be above 0, got {self.max_upload_mb}")

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)
