"""The structured-output layer: fallback chain, re-asks, truncation, refusals, errors, cache."""

from __future__ import annotations

import json

import httpx2
import pytest
from pydantic import BaseModel, Field

from briefer.errors import (
    ConfigError,
    EndpointError,
    ModelOutputError,
    ModelRefusalError,
    OutputTruncatedError,
)
from briefer.model.cache import CallCache, store_path
from briefer.model.llm import LLM, build_client, extract_json
from briefer.model.modeltable import lookup
from briefer.settings import Settings, find_home

from .fakes import FakeEndpoint, completion, error


class Pick(BaseModel):
    answer: str
    items: list[str] = Field(max_length=2)


GOOD = json.dumps({"answer": "yes", "items": ["a"]})


def make_llm(fake: FakeEndpoint, cache: bool = False, **kw: object) -> LLM:
    settings = Settings(
        api_key="k", base_url="http://127.0.0.1:9/v1", model="m", max_retries=0, **kw
    )  # type: ignore[arg-type]
    client = build_client(settings, fake.client())
    store = CallCache(store_path(find_home())) if cache else None
    return LLM(settings, lookup("m"), client, store)


def call(llm: LLM) -> Pick:
    return llm.call("step", "system text", "user text", Pick, 100)


def test_json_schema_success_records_usage_and_sends_strict_schema() -> None:
    fake = FakeEndpoint(completion(GOOD, pt=120, ct=30))
    llm = make_llm(fake, seed=7)
    assert call(llm) == Pick(answer="yes", items=["a"])
    sent = fake.requests[0]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert sent["temperature"] == 0.0 and sent["seed"] == 7 and sent["max_tokens"] == 100
    usage = llm.steps["step"]
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (1, 120, 30)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "response_format json_schema is not supported by this server"),
        (422, "1 validation error: response_format.type Input should be 'text' or 'json_object'"),
    ],
)
def test_rejected_json_schema_falls_back_to_json_object_with_schema_in_prompt(
    status: int, message: str
) -> None:
    fake = FakeEndpoint(error(status, message), completion(GOOD))
    llm = make_llm(fake)
    assert call(llm).answer == "yes"
    assert llm.mode == "json_object"
    second = fake.requests[1]
    assert second["response_format"] == {"type": "json_object"}
    assert '"answer"' in second["messages"][0]["content"]  # the schema travels in the prompt


def test_lm_studio_rejecting_json_object_falls_back_to_text() -> None:
    fake = FakeEndpoint(
        error(400, "'response_format.type' must be 'json_schema'"),  # json_schema refused too
        error(400, "'response_format.type' must be 'json_schema' or 'text'"),
        completion("Here you go:\n```json\n" + GOOD + "\n```"),
    )
    llm = make_llm(fake)
    assert call(llm).answer == "yes"
    assert llm.mode == "text"
    assert "response_format" not in fake.requests[2]


def test_fixed_mode_does_not_fall_back() -> None:
    fake = FakeEndpoint(error(400, "response_format not supported"))
    with pytest.raises(EndpointError, match="--structured-output"):
        call(make_llm(fake, structured_output="json_schema"))


def test_invalid_output_is_reasked_with_the_validation_error() -> None:
    fake = FakeEndpoint(completion('{"answer": "yes", "items": ["a", "b", "c"]}'), completion(GOOD))
    llm = make_llm(fake, structured_output="json_object")
    assert call(llm).items == ["a"]
    reask = fake.requests[1]["messages"]
    assert reask[-2] == {
        "role": "assistant",
        "content": '{"answer": "yes", "items": ["a", "b", "c"]}',
    }
    assert "items" in reask[-1]["content"] and "at most 2" in reask[-1]["content"]


def test_three_invalid_replies_raise_with_attempts_and_last_raw() -> None:
    fake = FakeEndpoint(
        completion('{"answer": 1}'), completion("not json"), completion('{"items": []}')
    )
    with pytest.raises(ModelOutputError) as info:
        call(make_llm(fake, structured_output="json_object"))
    assert info.value.attempts == 3
    assert info.value.last_raw == '{"items": []}'
    assert len(fake.requests) == 3


def test_invalid_json_schema_reply_is_reasked_too() -> None:
    fake = FakeEndpoint(completion('{"answer": "x"'), completion(GOOD))
    assert call(make_llm(fake)).answer == "yes"
    assert len(fake.requests) == 2


def test_length_finish_is_an_explicit_error_never_a_cut_result() -> None:
    fake = FakeEndpoint(completion('{"answer": "ye', finish="length"))
    with pytest.raises(OutputTruncatedError, match="100-token output limit") as info:
        call(make_llm(fake))
    assert info.value.last_raw == '{"answer": "ye'


@pytest.mark.parametrize(
    ("reply", "kind", "says"),
    [
        (completion("", refusal="I can't help with that."), ModelRefusalError, "can't help"),
        (completion("", finish="content_filter"), ModelRefusalError, "content filter"),
        (error(401, "Incorrect API key provided"), ConfigError, "OPENAI_API_KEY"),
        (error(404, "model not found"), EndpointError, "--model"),
    ],
    ids=["refusal", "content filter", "bad key", "unknown model"],
)
def test_a_reply_that_is_no_answer_is_its_own_error(
    reply: httpx2.Response, kind: type[Exception], says: str
) -> None:
    with pytest.raises(kind, match=says):
        call(make_llm(FakeEndpoint(reply)))


def test_unreachable_endpoint_says_how_to_fix() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    settings = Settings(api_key="k", base_url="http://127.0.0.1:9/v1", model="m", max_retries=0)
    client = build_client(settings, httpx2.Client(transport=httpx2.MockTransport(refuse)))
    with pytest.raises(EndpointError, match=r"Cannot reach http://127\.0\.0\.1:9/v1"):
        call(LLM(settings, lookup("m"), client, None))


def test_cache_serves_a_repeat_without_a_request() -> None:
    fake = FakeEndpoint(completion(GOOD))
    assert call(make_llm(fake, cache=True)).answer == "yes"
    again = make_llm(fake, cache=True)  # a new run, same state dir
    assert call(again).answer == "yes"
    assert len(fake.requests) == 1
    assert again.steps["step"].cached_calls == 1 and again.steps["step"].calls == 0


def test_failed_output_is_not_cached() -> None:
    fake = FakeEndpoint(
        completion("nope"), completion("nope"), completion("nope"), completion(GOOD)
    )
    with pytest.raises(ModelOutputError):
        call(make_llm(fake, cache=True, structured_output="json_object"))
    assert call(make_llm(fake, cache=True, structured_output="json_object")).answer == "yes"
    assert len(fake.requests) == 4


def test_openai_endpoint_uses_max_completion_tokens_and_no_temperature_for_gpt5() -> None:
    fake = FakeEndpoint(completion(GOOD))
    settings = Settings(api_key="k", model="gpt-5-mini", max_retries=0)
    llm = LLM(settings, lookup("gpt-5-mini"), build_client(settings, fake.client()), None)
    call(llm)
    sent = fake.requests[0]
    assert sent["max_completion_tokens"] == 100 and "max_tokens" not in sent
    assert "temperature" not in sent


def test_extract_json_strips_fences_and_prose() -> None:
    assert extract_json('Sure!\n```json\n{"a": 1}\n```') == '{"a": 1}'
    assert extract_json('{"a": {"b": 2}} trailing') == '{"a": {"b": 2}}'


def test_detected_mode_is_remembered_per_endpoint() -> None:
    fake = FakeEndpoint(error(400, "response_format json_schema unsupported"), completion(GOOD))
    call(make_llm(fake))
    later = FakeEndpoint(completion(GOOD))
    llm = make_llm(later)  # a later run against the same endpoint and model
    assert llm.mode == "json_object"
    call(llm)
    assert later.requests[0]["response_format"] == {"type": "json_object"}


def test_usage_of_rejected_attempts_is_counted() -> None:
    fake = FakeEndpoint(completion('{"answer": 1}', pt=50, ct=5), completion(GOOD, pt=60, ct=6))
    llm = make_llm(fake, structured_output="json_object")
    call(llm)
    usage = llm.steps["step"]
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (2, 110, 11)


def test_a_server_that_reads_far_fewer_tokens_than_sent_is_flagged() -> None:
    from briefer.model.tokens import TokenCounter, get_encoding

    counter = TokenCounter(get_encoding("o200k_base"))
    settings = Settings(api_key="k", base_url="http://127.0.0.1:9/v1", model="m", max_retries=0)
    long_user = "word " * 2000
    ok = LLM(
        settings,
        lookup("m"),
        build_client(settings, FakeEndpoint(completion(GOOD, pt=1900)).client()),
        None,
        counter,
    )
    ok.call("s", "sys", long_user, Pick, 100)
    assert ok.warnings == []
    cut = LLM(
        settings,
        lookup("m"),
        build_client(settings, FakeEndpoint(completion(GOOD, pt=512)).client()),
        None,
        counter,
    )
    cut.call("s", "sys", long_user, Pick, 100)
    assert len(cut.warnings) == 1 and "read 512 prompt tokens" in cut.warnings[0]
    assert "--context-window" in cut.warnings[0]


class Bounded(BaseModel):
    text: str = Field(json_schema_extra={"maxLength": 50})


def test_string_bounds_go_to_grammar_servers_but_not_to_openai() -> None:
    """llama.cpp turns maxLength into grammar (a small model cannot loop inside a string);
    OpenAI's strict mode does not take it, so it is stripped there."""
    local = FakeEndpoint(completion('{"text": "ok"}'))
    make_llm(local).call("s", "sys", "user", Bounded, 100)
    schema = local.requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["text"]["maxLength"] == 50
    assert schema["additionalProperties"] is False and schema["required"] == ["text"]

    hosted = FakeEndpoint(completion('{"text": "a reply longer than the bound is still valid"}'))
    settings = Settings(api_key="k", model="gpt-4.1-mini", max_retries=0)
    llm = LLM(settings, lookup("gpt-4.1-mini"), build_client(settings, hosted.client()), None)
    assert llm.call("s", "sys", "user", Bounded, 100).text.startswith("a reply")
    sent = hosted.requests[0]["response_format"]["json_schema"]
    assert "maxLength" not in json.dumps(sent) and sent["strict"] is True


def test_cache_scope_survives_a_new_port() -> None:
    """The embedded server listens on a new port each run: calls cached under its scope are
    reused, so a re-run of the default (no key) set-up is free."""
    fake = FakeEndpoint(completion(GOOD))
    for port in (5001, 5002):
        settings = Settings(
            api_key="k",
            base_url=f"http://127.0.0.1:{port}/v1",
            model="m",
            max_retries=0,
            cache_scope="embedded:model.gguf",
        )
        store = CallCache(store_path(find_home()))
        llm = LLM(settings, lookup("m"), build_client(settings, fake.client()), store)
        assert call(llm).answer == "yes"
    assert len(fake.requests) == 1
