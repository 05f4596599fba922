"""A stand-in for LocalServer (briefer/local/server.py): records starts and stops, never
runs a model. Both ways of using the real one work: `with LocalServer(...)` and start()/stop()."""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import ClassVar

import pytest

from briefer.errors import LocalServerError
from briefer.local import embedded

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


class StandInServer:
    """Counts its starts; `taken` ports fail to bind as llama.cpp's would; `gate`, when set,
    holds start() until it opens (a slow model load)."""

    instances: ClassVar[list[StandInServer]] = []
    taken: ClassVar[set[int]] = set()
    gate: ClassVar[threading.Event | None] = None
    lock = threading.Lock()

    def __init__(
        self, path: Path, *, alias: str | None, n_ctx: int, port: int | None = None
    ) -> None:
        self.path, self.model, self.n_ctx = path, alias or "gguf", n_ctx
        self.requested = port
        self.port: int | None = None
        self.starts = 0
        self.running = False
        with StandInServer.lock:
            StandInServer.instances.append(self)

    @property
    def base_url(self) -> str:
        assert self.port is not None, "base_url of a server that never started"
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        self.starts += 1
        if StandInServer.gate is not None:
            assert StandInServer.gate.wait(timeout=10)
        if self.requested in StandInServer.taken:
            raise LocalServerError("The local server exited (code 1): couldn't bind HTTP server")
        self.port = self.requested or 5555
        self.running = True

    def stop(self) -> None:
        self.running = False

    def __enter__(self) -> StandInServer:
        self.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @classmethod
    def started(cls) -> list[StandInServer]:
        return [s for s in cls.instances if s.starts]


def install(monkeypatch: pytest.MonkeyPatch, models: Path) -> type[StandInServer]:
    """Make briefer.local.embedded use the stand-in, with a model file that needs no parts."""
    StandInServer.instances, StandInServer.taken, StandInServer.gate = [], set(), None
    monkeypatch.setattr(embedded, "LocalServer", StandInServer)
    monkeypatch.setattr(embedded, "xllamacpp_available", lambda: True)
    monkeypatch.setattr(embedded, "resolve_model", lambda name, cache: models / MODEL_FILE)
    return StandInServer
