"""One chat request over HTTP, the way briefer sends every one.

A transport failure (no answer, a timeout, HTTP 408, 409, 429 or 5xx) is retried up to
`max_retries` times, every attempt inside one budget of `timeout` seconds per call, so a hung
server costs at most that long; the SDK's own retries are off, since they could share no
deadline and would hide the attempts. Every attempt is handed to a log function. A failure
becomes one BrieferError that says what happened (the attempts, the real time spent) and
quotes the server only through `reply.excerpt`. A 4xx that names the response format is a
FormatRejected, for the caller to move to another mode; a 5xx never is.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import openai
from openai import OpenAI

from ..errors import BrieferError, ConfigError, EndpointError
from ..settings import Settings
from .modes import FormatRejected
from .reply import Reply, error_message, excerpt, parse_reply

MAX_BODY = 16 * 1024 * 1024  # a chat reply is kilobytes; anything near this is not one
MAX_BACKOFF = 8.0
_FORMAT_HINTS = re.compile(r"response_format|json_schema|json_object|grammar|schema", re.I)
# What servers answer when they refuse a response_format: llama.cpp, vLLM, LM Studio and OpenAI
# send 400, pydantic-validated servers 422. A 5xx is the server failing, not refusing.
_FORMAT_STATUSES = (400, 422)
_RETRY_STATUSES = (408, 409, 429)

# (step, mode, outcome, reply or None, seconds, detail): one line of the attempt log.
LogFn = Callable[[str, str, str, Reply | None, float, str], None]


class _Deadline(Exception):
    """The call's time budget ran out while a reply was still arriving."""


class _TooLarge(Exception):
    """The reply body passed MAX_BODY."""


_FAILURES = (
    openai.APIStatusError,
    openai.APIConnectionError,
    httpx2.HTTPError,
    _Deadline,
    _TooLarge,
)


@dataclass
class _Failure:
    """A failed HTTP attempt: the error to raise, its outcome in the log, whether to retry."""

    error: BrieferError | FormatRejected
    outcome: str
    retry: bool = False
    retry_after: float | None = None


def _retry_after(response: httpx2.Response) -> float | None:
    """A Retry-After in seconds (0 to 60) as the server sent it; else None."""
    try:
        value = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return value if 0 <= value <= 60 else None


def _read_body(response: httpx2.Response, deadline: float) -> bytes:
    """The whole body, unless it outgrows MAX_BODY or still drips in at the deadline."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooLarge
        if time.monotonic() > deadline:
            raise _Deadline
        chunks.append(chunk)
    return b"".join(chunks)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Transport:
    """Sends chat requests for one endpoint; thread-safe (it keeps no per-request state)."""

    def __init__(self, settings: Settings, client: OpenAI, log: LogFn) -> None:
        self.settings = settings
        self.log = log
        self._client = client.with_options(max_retries=0)
        self._chat = self._client.chat.completions.with_streaming_response
        self._ready = settings.on_first_request is None
        self._ready_lock = threading.Lock()

    def ready(self) -> None:
        """Run the settings' `on_first_request` once, before any request is sent (concurrent
        callers wait for it), and send to the base URL it returns. If it fails, the next call
        runs it again."""
        if self._ready:
            return
        with self._ready_lock:
            hook = self.settings.on_first_request
            if self._ready or hook is None:
                return
            live = hook()
            if live != self.settings.base_url:
                self.settings = self.settings.model_copy(update={"base_url": live})
                self._client = self._client.with_options(base_url=live)
                self._chat = self._client.chat.completions.with_streaming_response
            self._ready = True

    def post(self, step: str, mode: str, request: dict[str, Any]) -> tuple[Reply, float]:
        """One request: up to 1 + max_retries HTTP attempts, all inside `timeout` seconds.
        Returns the reply and the seconds its attempt took."""
        self.ready()
        start = time.monotonic()
        deadline = start + self.settings.timeout
        tries = 0
        while True:
            tries += 1
            t0 = time.monotonic()
            try:
                status, body = self._fetch(request, deadline)
            except _FAILURES as exc:
                failure = self._failure(exc, mode, tries, time.monotonic() - start)
                took = time.monotonic() - t0
                self.log(step, mode, failure.outcome, None, took, str(failure.error))
                wait = self._backoff(failure, tries, deadline)
                if wait is None:
                    raise failure.error from exc
                time.sleep(wait)
                continue
            seconds = time.monotonic() - t0
            try:
                reply = parse_reply(body, status, self.settings.endpoint(), self.settings.secrets())
            except EndpointError as exc:
                self.log(step, mode, "bad_reply", None, seconds, str(exc))
                raise
            return reply, seconds

    def _fetch(self, request: dict[str, Any], deadline: float) -> tuple[int, bytes]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Deadline
        with self._chat.create(timeout=remaining, **request) as resp:
            return resp.http_response.status_code, _read_body(resp.http_response, deadline)

    def _backoff(self, failure: _Failure, tries: int, deadline: float) -> float | None:
        """Seconds to wait before the next attempt, or None to give up now."""
        if not failure.retry or tries > self.settings.max_retries:
            return None
        wait = failure.retry_after
        if wait is None:
            wait = min(0.5 * 2 ** (tries - 1), MAX_BACKOFF)
        return wait if time.monotonic() + wait < deadline else None

    def _failure(self, exc: Exception, mode: str, tries: int, elapsed: float) -> _Failure:
        where = self.settings.endpoint()
        spent = f"{_plural(tries, 'attempt')} in {elapsed:.1f}s"
        if isinstance(exc, openai.APIStatusError):
            return self._status_failure(exc, mode)
        if isinstance(exc, _TooLarge):
            error = EndpointError(
                f"{where} sent a reply larger than {MAX_BODY // 2**20} MB: check --base-url."
            )
            return _Failure(error, "bad_reply")
        if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException | _Deadline):
            error = EndpointError(
                f"{where} did not answer in time: {spent}, at most "
                f"{self.settings.timeout:g}s per call; raise --timeout or use a faster model."
            )
            return _Failure(error, "timeout", retry=True)
        if isinstance(exc, openai.APIConnectionError):
            error = EndpointError(
                f"Cannot reach {where} ({spent}): check --base-url and that the server is running."
            )
            return _Failure(error, "unreachable", retry=True)
        error = EndpointError(
            f"{where} broke off its reply ({type(exc).__name__}, {spent}): check the server."
        )
        return _Failure(error, "broken_reply", retry=True)

    def _status_failure(self, exc: openai.APIStatusError, mode: str) -> _Failure:
        status = exc.status_code
        body = exc.response.text
        said = excerpt(error_message(body), self.settings.secrets())
        where = self.settings.endpoint()
        if status in _FORMAT_STATUSES and mode != "text" and _FORMAT_HINTS.search(body):
            return _Failure(FormatRejected(said, mode), "rejected_mode")
        if status in (401, 403):
            error: BrieferError = ConfigError(
                f"{where} rejected the API key (HTTP {status}: {said}): check OPENAI_API_KEY."
            )
        elif status == 404:
            error = EndpointError(
                f"{where} has no model {self.settings.model!r} (HTTP 404: {said}): check "
                "--model, and that --base-url ends in /v1."
            )
        else:
            error = EndpointError(f"{where} answered HTTP {status}: {said}")
        retry = status in _RETRY_STATUSES or status >= 500
        return _Failure(error, "http_error", retry, _retry_after(exc.response))
