"""`slm ui`: the web app over a recipe."""

from __future__ import annotations

import os

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.recipe import Recipe


def ui(recipe: Recipe, arguments: list[str]) -> None:
    """Open the pipeline in a browser: documents, distill, curate and review, train, evaluate, chat, export.

    Needs the extra: pip install "slm-recipes[ui]". Listens on http://127.0.0.1:7860 by default (the
    recipe's ui: section; --host, --port). Every button runs the same code as the CLI command of that name,
    on this recipe; training, distillation and the other long jobs run as their own processes, so they go on
    when the page is closed, and the page shows them again when reopened. Uploaded documents go to
    ui.documents_dir (data/<name>/documents) and are read beside ingest.sources. Binding an address other
    than loopback needs a password: set $SLM_UI_PASSWORD (ui.password_env); the page then asks for user `slm`
    and that password. Ctrl-C stops the page (not the jobs it started).
    """
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise RecipeError('slm ui needs gradio: pip install "slm-recipes[ui]"') from None
    from slm_recipes.ui.app import CSS, Page, build

    settings = recipe.ui
    password = os.environ.get(settings.password_env) or None
    if not settings.loopback and not password:
        raise RecipeError(f"ui.host {settings.host} is reachable from other machines: set a password first "
                          f"(export {settings.password_env}=<a long random string>), or bind 127.0.0.1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no calls home
    page = Page(recipe, arguments)
    app = build(page)
    print(f"slm ui for {recipe.name!r} at http://{settings.host}:{settings.port} "
          f"({'password required, user slm' if password else 'no password: loopback only'}). Ctrl-C stops the page.",
          flush=True)
    app.launch(server_name=settings.host, server_port=settings.port, auth=("slm", password) if password else None,
               allowed_paths=[str(recipe.paths.export_dir.resolve())], inbrowser=False, share=False, quiet=True,
               max_file_size=f"{settings.max_upload_mb:g}mb", theme=_offline_theme(), css=CSS)


def _offline_theme():
    """Gradio's look with the system's fonts: the default theme asks Google for its fonts, which fails offline."""
    import gradio as gr

    return gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
