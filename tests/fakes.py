"""A small fake OpenAI-compatible transport for error shapes a real server won't produce."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

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
    """Answers each request with the next scripted reply (a response, or a function of the
    request body), each reply exactly once.

    A request beyond the script fails: the handler raises, and the request is also kept in
    `overrun`, because the client may turn the error into a failed call the code under test
    survives (a skipped article, a failed story). The `_fake_endpoints_play_out` fixture
    (conftest) fails every test that left a fake with an overrun or an unused reply, so the
    script states the exact number of requests. `serving(reply, calls=n)` scripts one function
    for n requests. `spare` replies at the end may go unused: for a call that races a failure
    (the next call of a worker pool may already be sent when the first one's error arrives).
    """

    made: ClassVar[list[FakeEndpoint]] = []  # every fake of the running test

    def __init__(self, *replies: httpx2.Response | Reply, spare: int = 0) -> None:
        self.replies = list(replies)
        self.spare = spare
        self.requests: list[dict[str, Any]] = []
        self.overrun: list[dict[str, Any]] = []
        self._lock = threading.Lock()  # the pipeline calls from several threads
        FakeEndpoint.made.append(self)

    @classmethod
    def serving(cls, reply: Reply, calls: int) -> FakeEndpoint:
        """`reply` answers exactly `calls` requests."""
        return cls(*[reply] * calls)

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        with self._lock:
            self.requests.append(body)
            if not self.replies:
                self.overrun.append(body)
                raise AssertionError(f"unexpected request #{len(self.requests)}: no reply left")
            reply = self.replies.pop(0)
        return reply(body) if callable(reply) else reply

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self.handler))

    def check_played_out(self) -> None:
        """Fail unless every scripted reply (but the spare ones) answered one request, and no
        request was left without one."""
        answered = len(self.requests) - len(self.overrun)
        assert not self.overrun, (
            f"{len(self.requests)} requests, but the fake was given {answered} replies"
        )
        assert len(self.replies) <= self.spare, (
            f"{answered} requests, but the fake was given {answered + len(self.replies)} replies"
        )


# -- a real socket server, for faults a mock transport cannot show (hangs, raw bodies) ------


@dataclass
class Canned:
    """One scripted answer of FakeServer: status, raw body, headers, and a wait before it."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to hang before answering (cut short when the server stops)


def canned(response: httpx2.Response, delay: float = 0.0) -> Canned:
    """A FakeEndpoint-style response (completion(), error()) as a FakeServer answer."""
    return Canned(response.status_code, response.content, dict(response.headers), delay)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        del request, client_address  # a client that timed out and left is the point of a test


ServerReply = Canned | Callable[[dict[str, Any], dict[str, str]], Canned]


class FakeServer:
    """An OpenAI-compatible server on 127.0.0.1 that answers each chat request with the next
    scripted reply, each reply exactly once, and records every request's body and headers.

    The rule of FakeEndpoint (and of the cassettes): a request beyond the script is answered
    with an HTTP 500 naming the overrun and kept in `overrun`, and the `_fake_endpoints_play_out`
    fixture (conftest) fails the test for it, or for a reply left unused (but `spare` ones)."""

    made: ClassVar[list[FakeServer]] = []  # every fake server of the running test

    def __init__(self, *replies: ServerReply, spare: int = 0) -> None:
        self.replies = list(replies)
        self.spare = spare
        self.requests: list[dict[str, Any]] = []
        self.overrun: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.answered = 0  # replies the server began to send (a hung one is not, until it is)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        FakeServer.made.append(self)

    @classmethod
    def serving(cls, reply: ServerReply, calls: int, spare: int = 0) -> FakeServer:
        """`reply` answers exactly `calls` requests (but `spare` of them may go unused)."""
        return cls(*[reply] * calls, spare=spare)

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> Canned:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            if not self.replies:
                self.overrun.append(body)
                text = f"unexpected request #{len(self.requests)}: no scripted reply left"
                return Canned(500, json.dumps({"error": {"message": text}}).encode())
            reply = self.replies.pop(0)
        return reply(body, headers) if callable(reply) else reply

    def check_played_out(self) -> None:
        """Fail unless every scripted reply (but the spare ones) answered one request, and no
        request was left without one."""
        answered = len(self.requests) - len(self.overrun)
        assert not self.overrun, (
            f"{len(self.requests)} requests, but the fake server was given {answered} replies"
        )
        assert len(self.replies) <= self.spare, (
            f"{answered} requests, but the fake server was given "
            f"{answered + len(self.replies)} replies"
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = fake._next(json.loads(raw), headers)
                if reply.delay and fake._stop.wait(reply.delay):
                    return
                with fake._lock:
                    fake.answered += 1
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    if name.lower() not in ("content-length", "content-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                del format, args

        return Handler
