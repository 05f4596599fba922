"""What a structured call sends: the create() arguments for a mode, and the cache key that
names everything a reply depends on."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from ..settings import Settings
from . import prompts
from .cache import cache_key
from .modeltable import ModelInfo

Messages = list[dict[str, str]]


def is_openai(base_url: str | None) -> bool:
    return base_url is None or "api.openai.com" in base_url


def _strip_key(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return {k: _strip_key(v, key) for k, v in node.items() if k != key}
    if isinstance(node, list):
        return [_strip_key(v, key) for v in node]
    return node


def response_format(schema: type[BaseModel], length_limits: bool) -> dict[str, Any]:
    """The strict json_schema response_format for `schema`, built by the SDK's own converter.

    `length_limits` keeps the schema's string maxLength: grammar-constrained servers enforce it
    (and so stop a small model looping inside a string); OpenAI's strict mode does not take it.
    """
    import openai  # loaded only when a call is sent

    params = openai.pydantic_function_tool(schema)["function"].get("parameters", {})
    if not length_limits:
        params = _strip_key(params, "maxLength")
    return {
        "type": "json_schema",
        "json_schema": {"name": schema.__name__, "schema": params, "strict": True},
    }


def sampling(settings: Settings, info: ModelInfo, max_tokens: int) -> dict[str, Any]:
    """The model, sampling and output-cap arguments, as this endpoint and model take them."""
    p: dict[str, Any] = {"model": settings.model}
    if info.supports_temperature:
        p["temperature"] = settings.temperature
    if settings.seed is not None:
        p["seed"] = settings.seed
    # OpenAI's newer models want max_completion_tokens; other servers know max_tokens.
    if is_openai(settings.base_url):
        p["max_completion_tokens"] = max_tokens
    else:
        p["max_tokens"] = max_tokens
    if settings.extra_body:
        p["extra_body"] = settings.extra_body
    return p


def build_request(
    settings: Settings,
    info: ModelInfo,
    messages: Messages,
    schema: type[BaseModel],
    max_tokens: int,
    mode: str,
) -> tuple[Messages, dict[str, Any]]:
    """The messages as sent (the schema goes in the prompt below json_schema) and the
    create() arguments."""
    if mode != "json_schema":
        schema_text = json.dumps(schema.model_json_schema(), separators=(",", ":"))
        extra = prompts.render("json_instructions", schema=schema_text)
        messages = [
            {"role": "system", "content": messages[0]["content"] + "\n\n" + extra},
            *messages[1:],
        ]
    request: dict[str, Any] = {"messages": messages, **sampling(settings, info, max_tokens)}
    if mode == "json_schema":
        request["response_format"] = response_format(schema, not is_openai(settings.base_url))
    elif mode == "json_object":
        request["response_format"] = {"type": "json_object"}
    return messages, request


def call_key(
    settings: Settings, messages: Messages, schema: type[BaseModel], max_tokens: int
) -> str:
    """The cache key of a call: the endpoint, model, messages, schema, sampling and output cap,
    so a change to any of them pays for a fresh reply. The messages carry the step's own
    prompts, so a change to another step's prompt keeps this call's reply; the re-ask prompt,
    sent only after a bad reply, is hashed in."""
    return cache_key(
        {
            "endpoint": settings.cache_endpoint(),
            "model": settings.model,
            "messages": messages,
            "schema": schema.model_json_schema(),
            "temperature": settings.temperature,
            "seed": settings.seed,
            "max_tokens": max_tokens,
            "extra_body": settings.extra_body,
            "reask": prompts.digest("reask"),
        }
    )
