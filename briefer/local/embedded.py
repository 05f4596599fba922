"""The embedded model: with no API key and no endpoint, briefer serves a local model itself.

The server starts lazily: the settings it yields point at a loopback port picked up front,
and their `on_first_request` starts llama.cpp's server (the `local` extra) there when the first
call is not answered from the cache, so a fully cached run loads no model. Leaving the block
stops a server that was started, also on error and Ctrl-C (LocalServer is stopped either way).

The port race: the port picked up front may be taken by the time the server starts. Then the
server starts on a fresh port of its own choosing, and `on_first_request` returns that base URL,
which the transport reads before its first request (model/transport.py).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import BrieferError, ConfigError, LocalServerError
from ..settings import NO_KEY_MESSAGE, Settings
from .models import LOCAL_MODELS, find_spec_for, models_dir, resolve_model
from .server import (
    DEFAULT_N_CTX,
    HOST,
    LocalServer,
    default_alias,
    free_port,
    port_taken,
    xllamacpp_available,
)

Notify = Callable[[str], None]


def wants_embedded(settings: Settings, local_model: str | None) -> bool:
    """The embedded model runs when asked for, or when nothing else could answer."""
    return local_model is not None or (not settings.api_key and not settings.base_url)


class LazyServer:
    """Starts one LocalServer on first use (thread-safe, at most once) and stops it on close.

    `start()` returns the live base URL; a failed start is remembered and raised again, so
    concurrent and later calls do not each wait out another start."""

    def __init__(
        self, path: Path, alias: str | None, n_ctx: int, label: str, notify: Notify | None
    ) -> None:
        self.path, self.alias, self.n_ctx = path, alias, n_ctx
        self.label, self.notify = label, notify
        self.port = free_port()
        self._lock = threading.Lock()
        self._server: LocalServer | None = None  # set before it starts, so close() can stop it
        self._url: str | None = None
        self._error: BrieferError | None = None
        self._closed = False

    @property
    def base_url(self) -> str:
        """Where the server will listen (unless its port is taken when it starts)."""
        return f"http://{HOST}:{self.port}/v1"

    def start(self) -> str:
        with self._lock:
            if self._closed:
                raise LocalServerError("The embedded model's server was already stopped.")
            if self._error is not None:
                raise self._error
            if self._url is None:
                try:
                    self._url = self._launch()
                except BrieferError as exc:
                    self._error = exc
                    raise
                if self.notify:  # told only once a server runs: a cached run starts none
                    self.notify(
                        f"Using the embedded local model {self.label} at {self._url}; "
                        "set OPENAI_API_KEY or pass --base-url to use a hosted one."
                    )
            return self._url

    def _launch(self) -> str:
        try:
            return self._run(self.port)
        except LocalServerError as exc:
            if not port_taken(exc):
                raise
        return self._run(None)  # the picked port was taken meanwhile: let the server pick one

    def _run(self, port: int | None) -> str:
        server = self._server = LocalServer(
            self.path, alias=self.alias, n_ctx=self.n_ctx, port=port
        )
        server.start()  # on failure it leaves nothing running
        if self._closed:  # closed while it started (Ctrl-C): leave nothing running either
            server.stop()
            raise LocalServerError("The embedded model's server was stopped while it started.")
        return server.base_url

    def close(self) -> None:
        """Stop the server if it was started (or is starting: that start then fails)."""
        self._closed = True
        if self._server is not None:
            self._server.stop()


@contextlib.contextmanager
def endpoint(
    settings: Settings, local_model: str | None = None, notify: Notify | None = None
) -> Iterator[Settings]:
    """Yield settings for the endpoint to use, serving the embedded model if needed (its
    server starts before the first request that the call cache does not answer)."""
    if not wants_embedded(settings, local_model):
        yield settings
        return
    if not xllamacpp_available():
        raise ConfigError(NO_KEY_MESSAGE)
    name = local_model or "default"
    path = resolve_model(name, models_dir(settings.home))
    spec = find_spec_for(name) or find_spec_for(path.stem)
    n_ctx = settings.context_window or DEFAULT_N_CTX
    label = spec.description if spec else path.name
    server = LazyServer(path, spec.alias if spec else None, n_ctx, label, notify)
    try:
        yield settings.model_copy(
            update={
                "base_url": server.base_url,
                "on_first_request": server.start,
                "model": spec.alias if spec else default_alias(path),
                "context_window": n_ctx,
                # llama.cpp reuses the prompt prefix a call shares with the one before (the
                # analyses' instructions): each run starts a fresh server and sends its calls one
                # at a time in a fixed order, so the same run reads the same cache states.
                "extra_body": {"cache_prompt": True, **settings.extra_body},
                # One slot: parallel calls would only queue, and a queued call can outwait a
                # hosted-sized timeout on a 2-core machine.
                "concurrency": 1,
                "timeout": max(settings.timeout, 1800.0),
                "cache_scope": f"embedded:{path.name}",
            }
        )
    finally:
        server.close()


def available_models() -> list[tuple[str, str, str]]:
    """(name, alias, description) of the models the local extra can serve."""
    return [(k, s.alias, s.description) for k, s in LOCAL_MODELS.items()]
