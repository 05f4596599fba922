"""Choosing and wiring the embedded model, with the server replaced by a stand-in."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import httpx2
import pytest

from briefer.errors import ConfigError, EndpointError, LocalServerError
from briefer.local import embedded
from briefer.pipeline.run import brief
from briefer.settings import NO_KEY_MESSAGE, Settings

from .conftest import SEEDS
from .fakes import FakeEndpoint, error
from .schema_fake import reply
from .standin import StandInServer, install


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[StandInServer]:
    return install(monkeypatch, tmp_path).instances


def any_replies(most: int = 40) -> FakeEndpoint:
    """The schema-following fake model, for up to `most` requests (a briefing of the seeds)."""
    return FakeEndpoint(*[reply] * most, spare=most)


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
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", got.base_url or "")
        assert got.model == "qwen2.5-coder-1.5b-instruct"
        assert got.extra_body == {"cache_prompt": True} and got.context_window == 8192
        assert got.concurrency == 1 and got.timeout >= 1800
        # The port changes every run; the cache must not, or no re-run would be free.
        assert got.cache_endpoint() == "embedded:qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
        assert got.on_first_request is not None
        got.on_first_request()  # what the transport does before its first request
        assert stand_in[0].running and stand_in[0].base_url == got.base_url
        assert notes and f"at {got.base_url};" in notes[0]
        raise RuntimeError("the briefing failed")
    assert not stand_in[0].running  # stopped on the way out, error or not
    assert "OPENAI_API_KEY" in notes[0] and "Qwen2.5-Coder-1.5B" in notes[0]


def test_a_cached_rerun_starts_no_server(stand_in: list[StandInServer]) -> None:
    notes: list[str] = []
    first = any_replies()
    with embedded.endpoint(Settings(), notify=notes.append) as live:
        assert StandInServer.started() == []  # nothing asked yet: no model loaded
        paid = brief([SEEDS], live, http_client=first.client())
    assert len(StandInServer.started()) == 1 and not stand_in[0].running
    assert paid.run.model_calls == len(first.requests) > 0
    # The model and its URL are told once its server runs, not before.
    assert len(notes) == 1 and f"at {stand_in[0].base_url};" in notes[0]

    notes.clear()
    again = FakeEndpoint()  # any request fails the test
    with embedded.endpoint(Settings(), notify=notes.append) as live:
        cached = brief([SEEDS], live, http_client=again.client())
    assert cached.run.model_calls == 0 and cached.run.cached_calls == paid.run.model_calls
    assert len(StandInServer.started()) == 1  # still only the first run's
    assert notes == []  # no claim of a server that never ran


def test_a_cache_miss_starts_the_server_once_before_any_request(
    stand_in: list[StandInServer],
) -> None:
    StandInServer.gate = threading.Event()  # a slow model load: concurrent calls wait for it
    fake = any_replies()
    seen_running: list[bool] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen_running.append(any(s.running for s in stand_in))
        return fake.handler(request)

    with embedded.endpoint(Settings()) as live:
        assert StandInServer.started() == []
        threading.Timer(0.3, StandInServer.gate.set).start()
        client = httpx2.Client(transport=httpx2.MockTransport(handler))
        brief([SEEDS], live.model_copy(update={"concurrency": 4}), http_client=client)
    assert [s.starts for s in StandInServer.started()] == [1]
    assert len(seen_running) == len(fake.requests) > 1 and all(seen_running)


@pytest.mark.parametrize("failure", ["error", "ctrl-c"])
def test_a_failure_after_the_start_stops_the_server(
    stand_in: list[StandInServer], failure: str
) -> None:
    def fail(body: dict[str, Any]) -> httpx2.Response:
        if failure == "ctrl-c":
            raise KeyboardInterrupt
        return error(503, "the model crashed")

    # The contrast call goes first, alongside the analyses: its failure is seen when the first
    # analysis fails too. The pool's thread may take the next queued calls before the run
    # cancels them (a mock reply takes no time), so any of the first round's 7 calls may come:
    # the contrast and 6 analyses (the 1.5B reads seed 000 in two parts).
    fake = FakeEndpoint(*[fail] * 7, spare=6)
    expected = KeyboardInterrupt if failure == "ctrl-c" else EndpointError
    with pytest.raises(expected), embedded.endpoint(Settings()) as live:
        assert StandInServer.started() == []
        brief([SEEDS], live.model_copy(update={"max_retries": 0}), http_client=fake.client())
    assert len(StandInServer.started()) == 1 and not stand_in[0].running


def test_ctrl_c_while_the_server_starts_leaves_none_running(
    stand_in: list[StandInServer],
) -> None:
    StandInServer.gate = threading.Event()
    outcome: list[BaseException] = []

    def first_request(live: Settings) -> None:
        assert live.on_first_request is not None
        try:
            live.on_first_request()
        except LocalServerError as exc:
            outcome.append(exc)

    with pytest.raises(KeyboardInterrupt), embedded.endpoint(Settings()) as live:
        worker = threading.Thread(target=first_request, args=(live,))
        worker.start()
        while not StandInServer.started():
            worker.join(0.01)
        raise KeyboardInterrupt  # while the model still loads
    StandInServer.gate.set()  # the load finishes after the run has stopped
    worker.join(10)
    assert not worker.is_alive() and len(outcome) == 1
    assert not any(s.running for s in stand_in)


def test_a_port_taken_before_the_start_moves_the_requests_to_the_new_one(
    stand_in: list[StandInServer],
) -> None:
    fake = any_replies()
    urls: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        urls.append(str(request.url))
        return fake.handler(request)

    with embedded.endpoint(Settings()) as live:
        picked = int((live.base_url or "").rsplit(":", 1)[1].split("/")[0])
        StandInServer.taken.add(picked)  # another program took it meanwhile
        client = httpx2.Client(transport=httpx2.MockTransport(handler))
        brief([SEEDS], live, http_client=client)
    assert [s.requested for s in stand_in] == [picked, None]  # then the server picks one
    assert urls and all(u.startswith("http://127.0.0.1:5555/v1/") for u in urls)
