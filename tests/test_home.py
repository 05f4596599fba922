"""State goes where the settings say: the home is found when the settings are made, so two
settings with different homes in one process never share a file, and BRIEFER_HOME changing
afterwards moves nothing. The judge is the files on disk, found by their documented names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from pydantic import BaseModel

from briefer.model.llm import LLM, build_client
from briefer.model.modeltable import lookup
from briefer.pipeline.run import brief
from briefer.settings import Settings, resolve

from .conftest import SEEDS
from .fakes import FakeEndpoint, completion, error
from .schema_fake import answer

ENDPOINT = {"api_key": "k", "base_url": "http://127.0.0.1:9/v1", "model": "m", "max_retries": 0}
TWO = sorted(SEEDS.glob("*.txt"))[:2]


class Answer(BaseModel):
    answer: str


def made_under(folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> dict[str, Settings]:
    """Settings made while BRIEFER_HOME named each folder in turn; then it names another."""
    made = {}
    for name, folder in folders.items():
        monkeypatch.setenv("BRIEFER_HOME", str(folder))
        made[name] = resolve(ENDPOINT)
    monkeypatch.setenv("BRIEFER_HOME", str(next(iter(folders.values())).parent / "later"))
    return made


def paid_requests(settings: Settings) -> int:
    """Brief two seed articles against a model stand-in; how many requests reached it."""
    sent: list[dict[str, Any]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        sent.append(body)
        return completion(json.dumps(answer(body)))

    with httpx2.Client(transport=httpx2.MockTransport(handler)) as client:
        brief(TWO, settings, http_client=client)
    return len(sent)


def test_two_homes_in_one_process_use_their_own_call_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = {"a": tmp_path / "a", "b": tmp_path / "b"}
    made = made_under(folders, monkeypatch)
    first = paid_requests(made["a"])
    assert first > 0
    assert paid_requests(made["b"]) == first  # b pays for its own calls: a's cache is not b's
    assert paid_requests(made["a"]) == 0  # a's re-run is served from a's cache
    for folder in folders.values():
        assert (folder / "cache.sqlite").is_file()
    assert not (tmp_path / "later").exists()  # BRIEFER_HOME now names a folder nobody used


def test_remembered_modes_stay_in_their_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = {"a": tmp_path / "a", "b": tmp_path / "b"}
    made = made_under(folders, monkeypatch)
    good = completion(json.dumps({"answer": "yes"}))
    for name, fake in (
        ("a", FakeEndpoint(error(400, "response_format json_schema is not supported"), good)),
        ("b", FakeEndpoint(good)),
    ):
        settings = made[name]
        llm = LLM(settings, lookup("m"), build_client(settings, fake.client()), None)
        llm.call("step", "system", "user", Answer, 50)
        first = fake.requests[0]["response_format"]["type"]
        assert first == "json_schema"  # b starts from the best mode: a's downgrade is a's
    assert json.loads((folders["a"] / "endpoints.json").read_text())  # a's downgrade, kept
    assert not (folders["b"] / "endpoints.json").exists()  # b learned nothing to keep
    assert (folders["b"] / "cache.sqlite").is_file()  # b's attempts logged in b
    assert not (tmp_path / "later").exists()


def test_settings_made_directly_take_the_home_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFER_HOME", str(tmp_path / "then"))
    settings = Settings(**ENDPOINT)  # type: ignore[arg-type]
    monkeypatch.setenv("BRIEFER_HOME", str(tmp_path / "now"))
    assert paid_requests(settings) > 0
    assert (tmp_path / "then" / "cache.sqlite").is_file()
    assert not (tmp_path / "now").exists()
