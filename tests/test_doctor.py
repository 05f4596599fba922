"""`briefer doctor` against fake endpoints shaped like real server families."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.model.doctor import diagnose
from briefer.model.endpoints import remembered
from briefer.settings import Settings, find_home

from .conftest import TEST_MODEL, model_settings
from .fakes import completion, error

PING = json.dumps({"ok": True, "word": "hello"})


def server(reject: set[str], props: dict[str, Any] | None = None) -> httpx2.Client:
    """/models, /props, and chat completions that reject the response_format types given."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/models"):
            return httpx2.Response(
                200,
                json={
                    "object": "list",
                    "data": [{"id": "local-a", "object": "model", "created": 0, "owned_by": "me"}],
                },
            )
        if request.url.path == "/props":
            return httpx2.Response(200, json=props) if props else httpx2.Response(404)
        body = json.loads(request.content)
        kind = (body.get("response_format") or {}).get("type", "text")
        if kind in reject:
            return error(400, f"'response_format.type' {kind} is not supported")
        return completion(PING)

    return httpx2.Client(transport=httpx2.MockTransport(handle))


def settings() -> Settings:
    return Settings(base_url="http://127.0.0.1:9/v1", model="local-a", max_retries=0)


def test_llama_cpp_like_server_supports_every_mode_and_reports_context() -> None:
    d = diagnose(settings(), server(set(), {"default_generation_settings": {"n_ctx": 8192}}))
    assert d.usable and d.models == ["local-a"]
    assert [(m.mode, m.works) for m in d.modes] == [
        ("json_schema", True),
        ("json_object", True),
        ("text", True),
    ]
    assert d.context_window == 8192
    assert d.flags().endswith("--structured-output json_schema --context-window 8192")


def test_lm_studio_like_server_rejecting_json_object_is_noted_and_remembered() -> None:
    d = diagnose(settings(), server({"json_object"}))
    works = {m.mode: m.works for m in d.modes}
    assert works == {"json_schema": True, "json_object": False, "text": True}
    assert d.context_window is None
    assert remembered(find_home(), "http://127.0.0.1:9/v1", "local-a").mode == "json_schema"


def test_older_server_without_json_schema_recommends_json_object() -> None:
    d = diagnose(settings(), server({"json_schema"}))
    assert d.best_mode() == "json_object"
    assert "--structured-output json_object" in d.flags()


def test_unreachable_endpoint_exits_1_with_the_reason() -> None:
    result = CliRunner().invoke(app, ["doctor", "--base-url", "http://127.0.0.1:9/v1"])
    assert result.exit_code == 1
    assert "Cannot reach http://127.0.0.1:9/v1" in result.stderr


@pytest.mark.vcr
def test_doctor_against_the_real_llama_cpp_server(cassette: object) -> None:
    d = diagnose(model_settings())
    assert d.reachable and d.usable
    assert TEST_MODEL in d.models
    assert {m.mode: m.works for m in d.modes}["json_schema"] is True
    assert d.context_window == 8192
    assert d.best_mode() == "json_schema"
