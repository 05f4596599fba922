"""Choosing and wiring the embedded model, with the server replaced by a stand-in."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

import pytest

from briefer.errors import ConfigError
from briefer.local import embedded
from briefer.settings import NO_KEY_MESSAGE, Settings


class StandInServer:
    """Records start/stop like LocalServer, without a model."""

    instances: ClassVar[list[StandInServer]] = []

    def __init__(self, path: Path, *, alias: str | None, n_ctx: int) -> None:
        self.path, self.model, self.n_ctx = path, alias or "gguf", n_ctx
        self.base_url = "http://127.0.0.1:5555/v1"
        self.running = False
        StandInServer.instances.append(self)

    def __enter__(self) -> StandInServer:
        self.running = True
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.running = False


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[StandInServer]:
    StandInServer.instances = []
    monkeypatch.setattr(embedded, "LocalServer", StandInServer)
    monkeypatch.setattr(embedded, "xllamacpp_available", lambda: True)
    monkeypatch.setattr(
        embedded,
        "resolve_model",
        lambda name, cache: tmp_path / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    )
    return StandInServer.instances


def test_a_key_or_endpoint_means_no_embedded_model(stand_in: list[Any]) -> None:
    for s in (Settings(api_key="sk"), Settings(base_url="http://127.0.0.1:8080/v1")):
        with embedded.endpoint(s) as got:
            assert got == s
    assert stand_in == []


def test_no_key_and_no_local_extra_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "xllamacpp_available", lambda: False)
    with pytest.raises(ConfigError) as info, embedded.endpoint(Settings()):
        pass
    assert str(info.value) == NO_KEY_MESSAGE


def test_no_key_serves_the_default_model_and_stops_it_on_error(stand_in: list[Any]) -> None:
    notes: list[str] = []
    with pytest.raises(RuntimeError), embedded.endpoint(Settings(), notify=notes.append) as got:
        assert got.base_url == "http://127.0.0.1:5555/v1"
        assert got.model == "qwen2.5-coder-1.5b-instruct"
        assert got.extra_body == {"cache_prompt": False} and got.context_window == 8192
        assert got.concurrency == 1 and got.timeout >= 1800
        # The port changes every run; the cache must not, or no re-run would be free.
        assert got.cache_endpoint() == "embedded:qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
        assert stand_in[0].running
        raise RuntimeError("the briefing failed")
    assert not stand_in[0].running  # stopped on the way out, error or not
    assert "OPENAI_API_KEY" in notes[0] and "Qwen2.5-Coder-1.5B" in notes[0]
