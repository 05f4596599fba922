"""A small fake OpenAI-compatible transport for error shapes a real server won't produce."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

Reply = Callable[[dict[str, Any]], httpx2.Response]


def completion(
    content: str, finish: str = "stop", refusal: str | None = None, pt: int = 100, ct: int = 20
) -> httpx2.Response:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if refusal is not None:
        message["refusal"] = refusal
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": "test-model",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct},
        },
    )


def error(status: int, message: str) -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"message": message, "type": "invalid_request"}})


class FakeEndpoint:
    """Answers each request with the next reply (or a function of the request body)."""

    def __init__(self, *replies: httpx2.Response | Reply) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        if not self.replies:
            raise AssertionError(f"unexpected request #{len(self.requests)}")
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(body) if callable(reply) else reply

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self.handler))
