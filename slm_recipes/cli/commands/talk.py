"""Talking to the trained model: `slm chat` in the terminal, `slm predict` over a file, `slm serve` over HTTP."""

from __future__ import annotations

import os
from pathlib import Path

from slm_recipes.core.errors import RecipeError
from slm_recipes.recipe.recipe import Recipe


def chat(recipe: Recipe, adapter: str | None = None, merged: str | None = None, gguf: str | None = None,
         no_retrieval: bool = False) -> None:
    """Talk to the trained model in the terminal, streamed, with the recipe's system prompt and generation.

    Without an artefact option: exports/<name>/merged if `slm fit` (or `slm export`) merged it, else the
    run's adapter logs/<name>/<model>/adapter. Answers use the recipe's system prompt and `generation:`
    settings; override one for this session with e.g. --generation.temperature 0.7.
    Type /reset to start a new conversation, /exit (or Ctrl-D) to end. Lines may also come from a pipe.
    A model trained open-book (`data.init_args.context`) answers from the passages retrieved for each
    question and prints the source (document, page, passage) under the answer.

    Args:
        adapter: A PEFT adapter folder (over the recipe's base model).
        merged: A merged Hugging Face model folder.
        gguf: A GGUF file (read with transformers' GGUF loader).
        no_retrieval: Answer closed-book, even for a model trained open-book.
    """
    from slm_recipes.assembly.answering import open_for_answers
    from slm_recipes.assembly.artefacts import named_artefact
    from slm_recipes.chat.terminal import chat as chat_loop

    loaded, open_book = open_for_answers(recipe, named_artefact(adapter, merged, gguf), no_retrieval)
    print(loaded.describe())
    print("/reset starts a new conversation, /exit (or Ctrl-D) ends.")
    chat_loop(loaded.model, loaded.tokenizer, loaded.settings, loaded.system_prompt, open_book)


def predict(recipe: Recipe, input: str | None = None, output: str | None = None, adapter: str | None = None,
            merged: str | None = None, gguf: str | None = None, no_retrieval: bool = False) -> None:
    """Answer a JSONL of questions into a JSONL of answers: --input Q.jsonl --output A.jsonl.

    Every record of Q.jsonl (`question`, or chat `messages` / `conversations` / `instruction` records
    ending with the question) gives one JSON line in A.jsonl: `id` (if given), `question`, `answer`,
    `ended` (false: cut at max_new_tokens), `reference` (the record's own answer, if any) and the record's
    other fields. `generation.batch_size` questions are answered at a time. A bad line stops it before
    the model loads, naming file:line. A model trained open-book answers from retrieved passages, and each
    line also holds `sources` (chunk id, document, pages, text) and `cited` (the one the answer uses).

    Args:
        input: The questions (JSONL or a JSON array).
        output: Where the answers go (written atomically).
        adapter: A PEFT adapter folder (over the recipe's base model).
        merged: A merged Hugging Face model folder.
        gguf: A GGUF file (read with transformers' GGUF loader).
        no_retrieval: Answer closed-book, even for a model trained open-book.
    """
    from slm_recipes.assembly.answering import open_for_answers
    from slm_recipes.assembly.artefacts import named_artefact
    from slm_recipes.chat.predict import check_writable, read_questions
    from slm_recipes.chat.predict import predict as answer_file

    if not input or not output:
        raise RecipeError("slm predict needs --input Q.jsonl and --output A.jsonl")
    source, target = Path(input), Path(output)
    if source.resolve() == target.resolve():
        raise RecipeError(f"--output {target} would overwrite the input; name another file")
    questions = read_questions(source)  # before loading the model: a bad line or an unwritable output fails fast
    check_writable(target)
    loaded, open_book = open_for_answers(recipe, named_artefact(adapter, merged, gguf), no_retrieval)
    print(loaded.describe())
    cut = answer_file(loaded.model, loaded.tokenizer, loaded.settings, loaded.system_prompt, questions, target,
                      open_book)
    print(f"wrote {len(questions)} answers to {target}"
          + (f" ({cut} cut at max_new_tokens {loaded.settings.max_new_tokens})" if cut else ""))


def serve(recipe: Recipe, adapter: str | None = None, merged: str | None = None, gguf: str | None = None,
          no_retrieval: bool = False, api_key: str | None = None) -> None:
    """Serve the trained model over an OpenAI-compatible HTTP API (needs the extra: pip install "slm-recipes[serve]").

    POST /v1/chat/completions (streaming or not), GET /v1/models, POST /v1/retrieve, GET /health, on
    http://127.0.0.1:8000 by default (the recipe's serve: section; --host, --port). The model is found as
    `slm chat` finds it; a model trained open-book answers from the passages retrieved for each question,
    and every answer carries them as `sources` (and `cited`). Concurrent requests are generated together.
    Binding an address other than loopback needs an API key: set $SLM_API_KEY (serve.api_key_env) or pass
    --api-key; clients then send `Authorization: Bearer <key>`. Ctrl-C stops.

    Args:
        adapter: A PEFT adapter folder (over the recipe's base model).
        merged: A merged Hugging Face model folder.
        gguf: A GGUF file (read with transformers' GGUF loader).
        no_retrieval: Answer closed-book, even for a model trained open-book.
        api_key: The API key clients must send (better: the environment variable named by serve.api_key_env).
    """
    try:
        from slm_recipes.serve.server import RunningServer, chat_service, check_exposure
    except ImportError as err:
        raise RecipeError(f"slm serve needs {err.name}: pip install \"slm-recipes[serve]\"") from None
    from slm_recipes.assembly.answering import open_for_answers
    from slm_recipes.assembly.artefacts import named_artefact

    config = recipe.serve
    key = api_key or os.environ.get(config.api_key_env) or None
    check_exposure(config, key)
    loaded, open_book = open_for_answers(recipe, named_artefact(adapter, merged, gguf), no_retrieval)
    print(loaded.describe())
    model_id = config.model_id or recipe.name
    service = chat_service(loaded.model, loaded.tokenizer, loaded.settings, loaded.system_prompt, open_book, config,
                           model_id)
    server = RunningServer(service, key, config.host, config.port)
    book = (f"open-book, up to {recipe.retrieval.top_k} passages per question" if open_book else "closed-book")
    guard = f"API key required (Authorization: Bearer; from {'--api-key' if api_key else '$' + config.api_key_env})" \
        if key else "no API key (loopback only)"
    print(f"serving {model_id!r} at {server.url}/v1 ({book}; batches of up to {config.max_batch}); {guard}. "
          "Ctrl-C stops.", flush=True)
    server.run()
