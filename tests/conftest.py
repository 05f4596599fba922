"""Shared fixtures: isolated state, a dummy key, and cassettes kept the pydantic-ai way.

Cassettes live in cassettes/<module>/<test>.yaml with readable JSON bodies and no auth headers.
Tests replay them with record mode "none": an unmatched request fails, and so does a cassette
with interactions the test did not play. `scripts/record_cassettes.py` records them from the
real local llama.cpp server (BRIEFER_RECORD=1, BRIEFER_TEST_BASE_URL=its URL).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vcr
from vcr.cassette import Cassette

from briefer.schemas.briefing import Briefing
from briefer.settings import Settings

from .fakes import FakeEndpoint, FakeServer
from .replay import PrettyJSONSerializer, replay_seeds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CASSETTES = ROOT / "cassettes"
RECORDING = os.environ.get("BRIEFER_RECORD") == "1"
# Replay never connects; the host only has to look like the loopback server it was recorded from.
BASE_URL = os.environ.get("BRIEFER_TEST_BASE_URL", "http://127.0.0.1:8080/v1")
TEST_MODEL = "qwen2.5-coder-1.5b-instruct"  # the model the cassettes were recorded from
FAST_MODEL = "qwen2.5-coder-0.5b-instruct"  # tests marked fast_model: the 0.5B model
TEST_KEY = os.environ.get("PYTEST_OPENAI_API_KEY", "test-key-not-real")

_SECRET_HEADERS = [
    "authorization",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
    "api-key",
    "x-api-key",
]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own state dir and never sees the user's keys or settings."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "BRIEFER_")) and name not in {
            "BRIEFER_RECORD",
            "BRIEFER_TEST_BASE_URL",
        }:
            monkeypatch.delenv(name)
    home = tmp_path / "briefer-home"
    monkeypatch.setenv("BRIEFER_HOME", str(home))
    yield home


@pytest.fixture(autouse=True)
def _fake_endpoints_play_out() -> Iterator[None]:
    """Every FakeEndpoint and FakeServer a test made answered exactly the requests it was
    scripted for: an extra request, or a scripted reply left unused, fails the test (as
    cassettes do)."""
    FakeEndpoint.made.clear()
    FakeServer.made.clear()
    yield
    fakes: list[FakeEndpoint | FakeServer] = [*FakeEndpoint.made, *FakeServer.made]
    FakeEndpoint.made.clear()
    FakeServer.made.clear()
    for fake in fakes:
        fake.check_played_out()


def model_settings(**overrides: Any) -> Settings:
    """Settings matching the recording server: the same request bodies in record and replay."""
    values: dict[str, Any] = {
        "api_key": TEST_KEY,
        "base_url": BASE_URL,
        "model": TEST_MODEL,
        "context_window": 8192,
        "extra_body": {"cache_prompt": False},
        "concurrency": 1,
        "max_retries": 0,
        "timeout": 1800,
        "seed": 7,
        "temperature": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


def _model_calls_only(request: Any) -> Any:
    """Feeds and pages (briefer's own User-Agent) come from the test's loopback web server in
    record and replay alike; only model calls belong in a cassette."""
    agent = {k.lower(): v for k, v in request.headers.items()}.get("user-agent", "")
    return None if str(agent).startswith("briefer/") else request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in _SECRET_HEADERS:
            del headers[name]
    return response


def _recorder() -> vcr.VCR:
    recorder = vcr.VCR(
        record_mode="all" if RECORDING else "none",
        match_on=["method", "path", "body"],
        filter_headers=_SECRET_HEADERS,
        before_record_request=_model_calls_only,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )
    recorder.register_serializer("pretty", PrettyJSONSerializer)
    return recorder


@pytest.fixture(scope="session")
def seeds_briefing(tmp_path_factory: pytest.TempPathFactory) -> Briefing:
    """The seeds' briefing as the recorded 1.5B run gives it (tests/replay.py), once per
    session: the pages are rendered from what the model really wrote."""
    return replay_seeds(tmp_path_factory.mktemp("seeds-home"), model_settings())


@pytest.fixture
def cassette(request: pytest.FixtureRequest) -> Iterator[Cassette]:
    """Replay (or, when recording, record) cassettes/<module>/<test>.yaml."""
    module = request.node.module.__name__.rsplit(".", 1)[-1]
    path = CASSETTES / module / f"{request.node.name}.yaml"
    if RECORDING and path.exists():
        path.unlink()
    recorder = _recorder()
    if not RECORDING and not path.exists():
        pytest.fail(f"No cassette {path.relative_to(ROOT)}: run scripts/record_cassettes.py")
    with recorder.use_cassette(
        str(path), serializer="pretty", allow_playback_repeats=False
    ) as cass:
        yield cass
    if not RECORDING:
        assert cass.all_played, (
            f"{path.name}: {len(cass.data) - cass.play_count} recorded interactions were "
            "not played; the code made fewer calls than when it was recorded"
        )
