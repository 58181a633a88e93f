"""Start the HTTP server (uvicorn) over a loaded model: in the foreground for `slm serve`, or in a thread.

A bound socket is handed to uvicorn, so port 0 picks a free port and the address is known before
the first request (tests and the load benchmark start it this way, on loopback).
"""

from __future__ import annotations

import socket
import threading
import time

import torch
from transformers import PreTrainedTokenizerBase

from slm_recipes.core.errors import RecipeError
from slm_recipes.generation.config import GenerationSettings
from slm_recipes.retrieval.open_book import OpenBook
from slm_recipes.serve.batcher import Batcher
from slm_recipes.serve.config import ServeConfig
from slm_recipes.serve.service import ChatService


def chat_service(model: torch.nn.Module, tokenizer: PreTrainedTokenizerBase, settings: GenerationSettings,
                 system_prompt: str | None, open_book: OpenBook | None, config: ServeConfig,
                 model_id: str) -> ChatService:
    """The model behind a server, with its batcher started."""
    batcher = Batcher(model, tokenizer, config.max_batch, config.batch_window_ms / 1000, config.queue_size).start()
    context = getattr(getattr(model, "config", None), "max_position_embeddings", None)
    return ChatService(batcher, tokenizer, settings, system_prompt, open_book, config, model_id, context)


def check_exposure(config: ServeConfig, api_key: str | None) -> None:
    """A server reachable beyond this machine must ask for a key."""
    if not config.loopback and not api_key:
        raise RecipeError(f"serve.host {config.host} is reachable from other machines: set an API key first "
                          f"(export {config.api_key_env}=<a long random string>, or --api-key), or bind 127.0.0.1")


class RunningServer:
    """uvicorn serving `service` on an already bound socket; `url` is its base (http://host:port)."""

    def __init__(self, service: ChatService, api_key: str | None, host: str, port: int,
                 log_level: str = "info") -> None:
        import uvicorn

        from slm_recipes.serve.app import create_app

        self.service = service
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((host, port))
        except OSError as err:
            self.socket.close()
            raise RecipeError(f"cannot listen on {host}:{port}: {err.strerror}; choose another --port") from None
        bound = self.socket.getsockname()[1]
        self.url = f"http://[{host}]:{bound}" if family == socket.AF_INET6 else f"http://{host}:{bound}"
        self.server = uvicorn.Server(uvicorn.Config(create_app(service, api_key), log_level=log_level,
                                                    timeout_graceful_shutdown=5))
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Serve until Ctrl-C (or SIGTERM), then stop the batcher."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.service.batcher.close()

    def start(self, timeout: float = 30) -> RunningServer:
        """Serve from a thread; returns once the server accepts connections."""
        self._thread = threading.Thread(target=self.run, name="slm-serve", daemon=True)
        self._thread.start()
        until = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > until:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
