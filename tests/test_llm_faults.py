"""A broken endpoint, over a real socket on 127.0.0.1: bodies that are not chat completions,
transient 5xx, hung servers, error text that echoes the key, and the attempt log."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel, Field

from briefer.errors import BrieferError, ConfigError, EndpointError
from briefer.model.cache import CallCache, store_path
from briefer.model.doctor import diagnose
from briefer.model.endpoints import remembered
from briefer.model.llm import LLM, build_client
from briefer.model.modeltable import lookup
from briefer.settings import Settings, find_home

from .fakes import Canned, FakeServer, canned, completion, error

KEY = "hunter2-not-a-real-key-4242"  # not key-shaped: only Settings.secrets() can mask it
GOOD = json.dumps({"answer": "yes", "items": ["a"]})
NO_WAIT = {"retry-after": "0"}  # the retry comes at once, so tests stay fast


class Pick(BaseModel):
    answer: str
    items: list[str] = Field(max_length=2)


Make = Callable[..., LLM]


@pytest.fixture
def make() -> Iterator[Make]:
    """An LLM against a FakeServer with its own SDK client (closed after the test)."""
    clients: list[Any] = []

    def build(server: FakeServer, cache: bool = False, **kw: Any) -> LLM:
        values: dict[str, Any] = {"api_key": KEY, "base_url": server.base_url, "model": "m"}
        settings = Settings(**{"max_retries": 0, **values, **kw})
        client = build_client(settings)
        clients.append(client)
        store = CallCache(store_path(find_home())) if cache else None
        return LLM(settings, lookup("m"), client, store)

    yield build
    for client in clients:
        client.close()


def ask(llm: LLM) -> Pick:
    return llm.call("step", "system text", "user text", Pick, 100)


def failure(llm: LLM, kind: type[BrieferError] = EndpointError) -> str:
    with pytest.raises(kind) as info:
        ask(llm)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    return message


def json_body(status: int, data: object, headers: dict[str, str] | None = None) -> Canned:
    return Canned(status, json.dumps(data).encode(), {"content-type": "application/json"})


def outcomes() -> list[tuple[str, str]]:
    """(mode, outcome) of every logged attempt, oldest first."""
    rows = CallCache(store_path(find_home())).attempts(100)
    return [(a.mode, a.outcome) for a in reversed(rows)]


# -- bodies that are not a chat completion ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<html>\n<body>502 Bad Gateway</body>\n</html>", "<html> <body>502 Bad Gateway"),
        (b"[]", "JSON that is not a chat completion ([])"),
        (b'{"id": "x", "object": "chat.completion"}', '"object": "chat.completion"'),
        (b'{"choices": [], "usage": {"prompt_tokens": 3}}', '{"choices": [], "usage"'),
        (b'{"choices": [null]}', '{"choices": [null]}'),
        (b"", "an empty body"),
    ],
)
def test_a_200_that_is_not_a_chat_completion_is_one_endpoint_error(
    make: Make, body: bytes, says: str
) -> None:
    with FakeServer(Canned(200, body)) as server:
        message = failure(make(server, structured_output="json_object"))
    assert says in message
    assert message.startswith(server.base_url)
    assert "larger model" not in message  # the server misbehaved, not the model
    assert len(server.requests) == 1  # no re-ask, no retry: asking again gets the same
    assert outcomes() == [("json_object", "bad_reply")]


def test_a_huge_body_is_refused_not_read_whole(make: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("briefer.model.transport.MAX_BODY", 1000)
    with FakeServer(canned(completion("x" * 5000))) as server:
        message = failure(make(server))
    assert "larger than" in message and len(server.requests) == 1


# -- structured-output modes: only a 4xx naming the format downgrades ---------------------


def test_a_transient_500_naming_the_schema_is_retried_and_never_downgrades(make: Make) -> None:
    busy = error(500, "failed to compile grammar for the json schema: out of memory")
    with FakeServer.serving(Canned(500, busy.content, NO_WAIT), 3) as server:
        llm = make(server, max_retries=2)
        message = failure(llm)
    assert "HTTP 500" in message and "grammar" in message
    # One request and the two transport retries, all in the best mode; nothing remembered.
    assert [r["response_format"]["type"] for r in server.requests] == ["json_schema"] * 3
    assert llm.mode == "json_schema"
    assert remembered(find_home(), server.base_url, "m") is None
    assert outcomes() == [("json_schema", "http_error")] * 3


def test_a_400_naming_response_format_downgrades_once_and_is_remembered(make: Make) -> None:
    rejected = error(400, "'response_format.type' must be 'text' or 'json_object'")
    with FakeServer(canned(rejected), canned(completion(GOOD))) as server:
        llm = make(server, max_retries=2)
        before = time.time()
        assert ask(llm).answer == "yes"
    kinds = [r["response_format"]["type"] for r in server.requests]
    assert kinds == ["json_schema", "json_object"]
    stored = remembered(find_home(), server.base_url, "m")
    assert stored is not None and stored.mode == "json_object"
    assert before <= stored.checked <= time.time()
    assert outcomes() == [("json_schema", "rejected_mode"), ("json_object", "ok")]


def test_a_400_that_does_not_name_the_format_is_not_a_downgrade(make: Make) -> None:
    with FakeServer(canned(error(400, "the prompt is too long for the context"))) as server:
        llm = make(server)
        assert "too long" in failure(llm)
    assert len(server.requests) == 1 and llm.mode == "json_schema"


def _store(entry: object, base_url: str) -> None:
    find_home().data_dir.mkdir(parents=True, exist_ok=True)
    (find_home().data_dir / "endpoints.json").write_text(json.dumps({f"{base_url}|m": entry}))


@pytest.mark.parametrize(
    "entry",
    [
        "json_object",  # as the previous release stored it: no time, so due a re-check
        {"mode": "text", "checked": time.time() - 8 * 86400},
    ],
)
def test_a_stale_stored_downgrade_is_probed_again(make: Make, entry: object) -> None:
    with FakeServer(canned(completion(GOOD))) as server:
        _store(entry, server.base_url)
        ask(make(server))
    assert server.requests[0]["response_format"]["type"] == "json_schema"
    assert (
        remembered(find_home(), server.base_url, "m").mode == "json_schema"
    )  # the downgrade is gone


def test_a_fresh_stored_downgrade_is_used(make: Make) -> None:
    with FakeServer(canned(completion(GOOD))) as server:
        _store({"mode": "json_object", "checked": time.time() - 3600}, server.base_url)
        ask(make(server))
    assert server.requests[0]["response_format"] == {"type": "json_object"}


def test_doctor_replaces_a_stored_downgrade_with_what_works_now() -> None:
    hello = canned(completion(json.dumps({"ok": True, "word": "hello"})))
    with FakeServer.serving(hello, 3) as server:  # one probe of each structured-output mode
        _store({"mode": "text", "checked": time.time()}, server.base_url)
        diagnose(Settings(base_url=server.base_url, model="m", max_retries=0))
    assert remembered(find_home(), server.base_url, "m").mode == "json_schema"


# -- time -----------------------------------------------------------------------------------


def _reported(message: str) -> tuple[int, float]:
    found = re.search(r"(\d+) attempts? in (\d+\.\d)s", message)
    assert found, message
    return int(found[1]), float(found[2])


def test_a_hung_server_costs_one_time_budget_and_the_message_says_what_happened(
    make: Make,
) -> None:
    with FakeServer(Canned(delay=20)) as server:
        llm = make(server, timeout=0.5, max_retries=2)
        message = failure(llm)
        # The call gave up while the server still hung: it did not wait out the reply.
        assert server.answered == 0
    attempts, seconds = _reported(message)
    assert attempts == len(server.requests) == 1  # not three attempts of a budget each
    assert seconds >= 0.5  # the budget was spent, and the message says how long it took
    assert "did not answer in time" in message and "--timeout" in message
    assert outcomes() == [("json_schema", "timeout")]


def test_retries_share_the_budget_and_are_counted(make: Make) -> None:
    """Each 503 comes after 0.35 s of a 0.6 s budget: the retry has what is left (0.25 s) and
    runs out before its 503, so the third reply is never asked for. With a budget for each
    attempt, the retry would get its 503 and the third attempt would succeed."""
    busy = Canned(503, error(503, "loading model").content, NO_WAIT, delay=0.35)
    with FakeServer(busy, busy, canned(completion(GOOD)), spare=1) as server:
        llm = make(server, timeout=0.6, max_retries=2)
        message = failure(llm)
        assert server.answered == 1  # the second 503 was still held when the call gave up
    attempts, seconds = _reported(message)
    assert attempts == len(server.requests) == 2
    assert seconds >= 0.6
    assert outcomes() == [("json_schema", "http_error"), ("json_schema", "timeout")]


# -- what a server says is quoted safely ----------------------------------------------------


def echo_key(status: int) -> Callable[[dict[str, Any], dict[str, str]], Canned]:
    def reply(body: dict[str, Any], headers: dict[str, str]) -> Canned:
        key = headers["authorization"].removeprefix("Bearer ")
        said = f"Request refused.\n\nThe key you sent was {key}\r\n" + "details " * 500
        return json_body(status, {"error": {"message": said, "type": "invalid_request"}})

    return reply


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, ConfigError), (403, ConfigError), (400, EndpointError), (500, EndpointError)],
)
def test_server_error_text_is_redacted_one_line_and_bounded(
    make: Make, status: int, kind: type[BrieferError]
) -> None:
    with FakeServer(echo_key(status)) as server:
        message = failure(make(server), kind)
    assert KEY in server.headers[0]["authorization"]  # the key really was echoed back
    assert KEY not in message and "[redacted]" in message
    assert "Request refused. The key you sent was [redacted]" in message
    assert len(message) < 400
    logged = CallCache(store_path(find_home())).attempts(1)[0]
    assert KEY not in logged.detail and logged.outcome == "http_error"


def test_a_refusal_is_quoted_safely(make: Make) -> None:
    refusal = completion("", refusal=f"No.\nYour key {KEY} is noted.")
    with FakeServer(canned(refusal)) as server:
        message = failure(make(server), BrieferError)
    assert KEY not in message and "No. Your key [redacted] is noted." in message


# -- the attempt log ------------------------------------------------------------------------


def test_a_reasked_call_logs_both_attempts_with_their_outcomes(make: Make) -> None:
    first = canned(completion('{"answer": 1}', pt=50, ct=5))
    with FakeServer(first, canned(completion(GOOD, pt=60, ct=6))) as server:
        ask(make(server, cache=True, structured_output="json_object"))
    rows = list(reversed(CallCache(store_path(find_home())).attempts(10)))
    assert [(r.outcome, r.prompt_tokens, r.completion_tokens) for r in rows] == [
        ("invalid", 50, 5),
        ("ok", 60, 6),
    ]
    assert rows[0].detail.startswith("- answer: Input should be a valid string")
    assert {(r.step, r.model, r.endpoint) for r in rows} == {("step", "m", server.base_url)}


def test_attempts_are_logged_with_the_reply_cache_off(make: Make) -> None:
    cut = canned(completion('{"answer": "ye', finish="length", pt=70, ct=100))
    rejected = canned(error(400, "response_format is not supported"))
    with FakeServer(rejected, cut) as server, pytest.raises(BrieferError, match="output limit"):
        ask(make(server, cache=False))
    assert outcomes() == [("json_schema", "rejected_mode"), ("json_object", "truncated")]
    assert CallCache(store_path(find_home())).count() == 0  # no reply was stored
