"""The embedded model: with no API key and no endpoint, briefer serves a local model itself.

It starts llama.cpp's server (the `local` extra) on a free loopback port, points the settings
at it, and stops it on exit, on error and on Ctrl-C (LocalServer is a context manager).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from ..errors import ConfigError
from ..settings import NO_KEY_MESSAGE, Settings
from .models import LOCAL_MODELS, find_spec_for, models_dir, resolve_model
from .server import DEFAULT_N_CTX, LocalServer, xllamacpp_available

Notify = Callable[[str], None]


def wants_embedded(settings: Settings, local_model: str | None) -> bool:
    """The embedded model runs when asked for, or when nothing else could answer."""
    return local_model is not None or (not settings.api_key and not settings.base_url)


@contextlib.contextmanager
def endpoint(
    settings: Settings, local_model: str | None = None, notify: Notify | None = None
) -> Iterator[Settings]:
    """Yield settings for the endpoint to use, serving the embedded model if needed."""
    if not wants_embedded(settings, local_model):
        yield settings
        return
    if not xllamacpp_available():
        raise ConfigError(NO_KEY_MESSAGE)
    name = local_model or "default"
    path = resolve_model(name, models_dir(settings.home))
    spec = find_spec_for(name) or find_spec_for(path.stem)
    n_ctx = settings.context_window or DEFAULT_N_CTX
    with LocalServer(path, alias=spec.alias if spec else None, n_ctx=n_ctx) as server:
        if notify:
            label = spec.description if spec else path.name
            notify(
                f"Using the embedded local model {label} at {server.base_url}; "
                "set OPENAI_API_KEY or pass --base-url to use a hosted one."
            )
        yield settings.model_copy(
            update={
                "base_url": server.base_url,
                "model": server.model,
                "context_window": n_ctx,
                # llama.cpp's prompt cache makes repeated calls differ; off for repeatability.
                "extra_body": {"cache_prompt": False, **settings.extra_body},
                # One slot: parallel calls would only queue, and a queued call can outwait a
                # hosted-sized timeout on a 2-core machine.
                "concurrency": 1,
                "timeout": max(settings.timeout, 1800.0),
                "cache_scope": f"embedded:{path.name}",
            }
        )


def available_models() -> list[tuple[str, str, str]]:
    """(name, alias, description) of the models the local extra can serve."""
    return [(k, s.alias, s.description) for k, s in LOCAL_MODELS.items()]
