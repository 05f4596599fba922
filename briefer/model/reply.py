"""What an OpenAI-compatible server sent back, read as hostile input.

A chat-completion body that is not JSON, is JSON but not an object, or has no choices is an
EndpointError that quotes what the server did send. Anything a server says (bodies, error
messages, refusals) is quoted through `excerpt`: secrets masked, one line, bounded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EndpointError
from ..redact import redact_text

EXCERPT_CHARS = 200
_SCAN_CHARS = 20_000  # how much of a body is read for an excerpt (a body may be megabytes)


def excerpt(text: str, secrets: Iterable[str | None], limit: int = EXCERPT_CHARS) -> str:
    """Server-provided text made safe to print: secrets masked, control characters and line
    breaks collapsed to single spaces, at most `limit` characters."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text[:_SCAN_CHARS])
    safe = redact_text(" ".join(printable.split()), secrets)
    return safe if len(safe) <= limit else safe[: limit - 1].rstrip() + "…"


def error_message(body: str) -> str:
    """The human part of an error body: OpenAI's error.message (or a bare `message`, `detail`
    or `error` string), else the body as sent."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return body
    if not isinstance(data, dict):
        return body
    error = data.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    for said in (error, data.get("message"), data.get("detail")):
        if isinstance(said, str) and said.strip():
            return said
    return body


@dataclass(frozen=True)
class Reply:
    """The parts of a chat completion briefer uses; missing or odd fields become empty."""

    content: str
    finish_reason: str | None
    refusal: str | None
    prompt_tokens: int
    completion_tokens: int


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _usage(data: dict[str, Any]) -> tuple[int, int]:
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return 0, 0
    return _count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens"))


def parse_reply(body: bytes, status: int, endpoint: str, secrets: Sequence[str | None]) -> Reply:
    """The reply in a 2xx chat-completion body; an EndpointError if there is none."""
    fix = "check that --base-url is the server's OpenAI-compatible /v1 address"

    def quoted() -> str:
        text = body[: _SCAN_CHARS * 4].decode("utf-8", "replace")
        return excerpt(text, secrets) or "an empty body"

    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise EndpointError(
            f"{endpoint} answered HTTP {status} with a body that is not JSON ({quoted()}): {fix}."
        ) from None
    if not isinstance(data, dict):
        raise EndpointError(
            f"{endpoint} answered HTTP {status} with JSON that is not a chat completion "
            f"({quoted()}): {fix}."
        )
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise EndpointError(
            f"{endpoint} sent no reply (no choices) with HTTP {status}; it sent: {quoted()}. "
            "Check the server's log."
        )
    choice = choices[0]
    message = choice.get("message")
    message = message if isinstance(message, dict) else {}
    pt, ct = _usage(data)
    return Reply(
        content=_text(message.get("content")) or "",
        finish_reason=_text(choice.get("finish_reason")),
        refusal=_text(message.get("refusal")),
        prompt_tokens=pt,
        completion_tokens=ct,
    )
