"""`briefer doctor`: what an endpoint can do, learned by asking it, before a real run.

It lists the endpoint's models, tries each structured-output mode with a tiny schema, reads the
context size where the server tells it (llama.cpp's /props), and says which flags to use.
"""

from __future__ import annotations

import httpx2
import openai
from pydantic import BaseModel

from ..errors import BrieferError
from ..redact import redact_text
from ..settings import Settings
from . import endpoints
from .llm import LLM, build_client
from .modeltable import lookup
from .modes import MODES


class Ping(BaseModel):
    ok: bool
    word: str


class ModeResult(BaseModel):
    mode: str
    works: bool
    detail: str


class Diagnosis(BaseModel):
    endpoint: str
    model: str
    reachable: bool
    models: list[str]
    context_window: int | None
    modes: list[ModeResult]
    problem: str | None

    @property
    def usable(self) -> bool:
        return self.reachable and any(m.works for m in self.modes)

    def best_mode(self) -> str | None:
        return next((m.mode for m in self.modes if m.works), None)

    def flags(self) -> str:
        parts = [f"--base-url {self.endpoint}", f"--model {self.model}"]
        if mode := self.best_mode():
            parts.append(f"--structured-output {mode}")
        if self.context_window:
            parts.append(f"--context-window {self.context_window}")
        return " ".join(parts)


def _context_size(settings: Settings, http_client: httpx2.Client) -> int | None:
    """llama.cpp's server reports n_ctx at /props (beside /v1); other servers: unknown.

    The request goes to the URL as given, credentials included (like the model calls); only
    what is shown or stored uses the redacted `settings.endpoint()`."""
    root = (settings.base_url or settings.endpoint()).rstrip("/").removesuffix("/v1")
    try:
        resp = http_client.get(f"{root}/props", timeout=10)
        data = resp.json() if resp.status_code == 200 else {}
        n_ctx = (data.get("default_generation_settings") or {}).get("n_ctx")
        return int(n_ctx) if n_ctx else None
    except (httpx2.HTTPError, ValueError, AttributeError):
        return None


def diagnose(settings: Settings, http_client: httpx2.Client | None = None) -> Diagnosis:
    """Probe the endpoint; never raises for endpoint trouble, it reports it."""
    if http_client is None:
        # One connection pool for every probe, closed when done (no leaked sockets).
        with httpx2.Client(timeout=settings.timeout) as own:
            return _diagnose(settings, own)
    return _diagnose(settings, http_client)


def _diagnose(settings: Settings, http_client: httpx2.Client) -> Diagnosis:
    client = build_client(settings.model_copy(update={"max_retries": 0}), http_client)
    problem: str | None = None
    try:
        models = sorted(m.id for m in client.models.list())
    except openai.APIConnectionError:
        return Diagnosis(
            endpoint=settings.endpoint(),
            model=settings.model,
            reachable=False,
            models=[],
            context_window=None,
            modes=[],
            problem=f"Cannot reach {settings.endpoint()}: is the server running?",
        )
    except openai.APIStatusError as exc:
        models = []
        problem = f"GET /models answered HTTP {exc.status_code}"
    model = settings.model if settings.model in models or not models else models[0]
    info = lookup(model, settings.context_window)
    results = []
    for mode in MODES:
        s = settings.model_copy(update={"structured_output": mode, "model": model})
        llm = LLM(s, info, build_client(s, http_client), None)
        try:
            got = llm.call(
                "doctor", "Reply in JSON.", "Set ok to true and word to 'hello'.", Ping, 50
            )
            results.append(ModeResult(mode=mode, works=True, detail=f"ok={got.ok}"))
        except BrieferError as exc:
            # Redact before cutting: a cut could leave half a secret that no longer matches.
            detail = redact_text(str(exc), settings.secrets())[:120]
            results.append(ModeResult(mode=mode, works=False, detail=detail))
    d = Diagnosis(
        endpoint=settings.endpoint(),
        model=model,
        reachable=True,
        models=models,
        context_window=_context_size(settings, http_client),
        modes=results,
        problem=problem,
    )
    best = d.best_mode()
    if best is not None:
        endpoints.remember_mode(settings.home, d.endpoint, model, best)
    elif d.problem is None:
        d.problem = "no structured-output mode produced valid JSON"
    return d
