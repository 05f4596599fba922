"""The one model layer: the openai SDK against any OpenAI-compatible endpoint.

Retries come in two layers only. A transport failure is retried by transport.py, every attempt
inside one time budget per call. Output that fails validation is re-asked at most twice with
the validation error fed back; then one ModelOutputError carries the attempts and the last raw
output. Structured output degrades json_schema -> json_object (+ schema in prompt) -> plain
text only when the endpoint answers a 4xx naming the response format (modes.py); the
downgrade is remembered for a while (endpoints.py), never because of a 5xx. What is sent is
built in request.py (with the cache key); usage, warnings and the log of every HTTP attempt
for `briefer log` are kept in accounting.py.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import (
    EndpointError,
    ModelError,
    ModelOutputError,
    ModelRefusalError,
    OutputTruncatedError,
)
from ..schemas.briefing import StepUsage
from ..settings import Settings
from . import prompts
from .accounting import AttemptLog, Usage
from .cache import CallCache
from .modeltable import ModelInfo
from .modes import FormatRejected, ModeState
from .reply import Reply, excerpt
from .request import Messages, build_request, call_key
from .tokens import TokenCounter

if TYPE_CHECKING:
    import httpx2
    from openai import OpenAI

    from .transport import Transport

T = TypeVar("T", bound=BaseModel)

MAX_REASKS = 2


def build_client(settings: Settings, http_client: httpx2.Client | None = None) -> OpenAI:
    """Build the SDK client from resolved settings (never at import time)."""
    from openai import OpenAI  # loaded only when a call is sent

    return OpenAI(
        api_key=settings.require_key(),
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        http_client=http_client,
    )


class _Invalid(Exception):
    def __init__(self, raw: str, error: str) -> None:
        super().__init__(error)
        self.raw = raw
        self.error = error


def extract_json(text: str) -> str:
    """The JSON object inside a reply that may wrap it in prose or code fences."""
    text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


def _validation_summary(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors()[:8]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        lines.append(f"- {loc}: {err['msg']}")
    return "\n".join(lines)


def validate(reply: Reply, schema: type[T], mode: str, max_tokens: int, secrets: list[str]) -> T:
    """The reply as `schema`; a refusal, a cut reply or output that does not validate raises
    (the last as _Invalid, for a re-ask)."""
    raw = reply.content
    if reply.refusal:
        raise ModelRefusalError(f"The model refused: {excerpt(reply.refusal, secrets)}")
    # The SDK's parse() would raise LengthFinishReasonError here; briefer builds its own
    # response_format, so it checks finish_reason itself and never uses a cut reply.
    if reply.finish_reason == "length":
        raise OutputTruncatedError(
            f"The model's reply hit the {max_tokens}-token output limit and would be cut.",
            last_raw=raw,
        )
    if reply.finish_reason == "content_filter":
        raise ModelRefusalError("The endpoint's content filter stopped the reply.")
    if not raw.strip():
        raise _Invalid(raw, "- (root): empty reply")
    try:
        text = raw if mode == "json_schema" else extract_json(raw)
        return schema.model_validate_json(text)
    except ValidationError as exc:
        raise _Invalid(raw, _validation_summary(exc)) from exc


def truncation_note(
    counter: TokenCounter | None, messages: Messages, prompt_tokens: int, endpoint: str
) -> str | None:
    """Servers with a small context (Ollama's default) cut the prompt silently: say so."""
    if counter is None or not prompt_tokens:
        return None
    sent = sum(counter.count(m["content"]) for m in messages)
    # Tokenizers differ between models by far less than half; below that, text was cut.
    if prompt_tokens >= sent * 0.5:
        return None
    return (
        f"{endpoint} read {prompt_tokens} prompt tokens of about {sent} sent, so it probably "
        "truncated the input: pass --context-window with the server's real context size (for "
        "Ollama, raise num_ctx)."
    )


class LLM:
    """Structured calls: cached, validated, re-asked, past rejected modes (`ModeState`), with
    usage per step and warnings (`Usage`) and every HTTP attempt logged (`AttemptLog`)."""

    def __init__(
        self,
        settings: Settings,
        info: ModelInfo,
        client: OpenAI | Callable[[], OpenAI],
        cache: CallCache | None,
        counter: TokenCounter | None = None,
    ) -> None:
        """`client` may be a function that builds it: it is then built (and the SDK loaded) on
        the first call the cache does not answer, and `close()` closes it."""
        self.settings = settings
        self.info = info
        self.cache = cache
        self.counter = counter
        self.modes = ModeState(settings, info)
        self.usage = Usage(cache.take_warnings() if cache else ())
        self._log = AttemptLog(settings, cache, self.usage)  # --no-cache logs too
        self._client = client
        self._built: OpenAI | None = None
        self._transport: Transport | None = None
        self._lock = threading.Lock()

    @property
    def transport(self) -> Transport:
        with self._lock:
            if self._transport is None:
                from .transport import Transport  # it loads the SDK

                client = self._client
                if callable(client):
                    client = self._built = client()
                self._transport = Transport(self.settings, client, self._log)
            return self._transport

    def close(self) -> None:
        """Close the client this LLM built (its sockets); a client it was given stays open."""
        if self._built is not None:
            self._built.close()

    @property
    def mode(self) -> str:
        return self.modes.mode

    @property
    def steps(self) -> dict[str, StepUsage]:
        return self.usage.steps

    @property
    def warnings(self) -> list[str]:
        return self.usage.warnings

    # -- public --------------------------------------------------------------------------

    def call(self, step: str, system: str, user: str, schema: type[T], max_tokens: int) -> T:
        """One structured call: cached, validated, re-asked; raises a ModelError otherwise."""
        messages: Messages = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        key = call_key(self.settings, messages, schema, max_tokens)
        if (hit := self._cached(key, schema)) is not None:
            self.usage.record(step, 0, 0, 0.0, cached=True)
            return hit
        value, reply, seconds, mode = self._converse(step, messages, schema, max_tokens)
        if self.cache is None:
            self._log(step, mode, "ok", reply, seconds, "")
            return value
        self.cache.put(
            key,
            step=step,
            model=self.settings.model,
            endpoint=self.settings.endpoint(),
            raw=reply.content,
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
            seconds=seconds,
            mode=mode,
        )
        self.usage.warn(*self.cache.take_warnings())
        return value

    def _cached(self, key: str, schema: type[T]) -> T | None:
        if self.cache is None:
            return None
        hit = self.cache.get(key)
        self.usage.warn(*self.cache.take_warnings())
        if hit is None:
            return None
        try:
            return schema.model_validate_json(hit[0])
        except ValidationError:
            return None  # schema changed under the same key; pay for a fresh answer

    # -- the conversation ----------------------------------------------------------------

    def _converse(
        self, step: str, messages: Messages, schema: type[T], max_tokens: int
    ) -> tuple[T, Reply, float, str]:
        """Ask until a reply validates: past a rejected mode, re-asking an invalid reply."""
        convo = list(messages)
        asked = 0
        while True:
            mode = self.modes.mode
            try:
                value, reply, seconds = self._attempt(step, convo, schema, max_tokens, mode)
            except FormatRejected as exc:
                if self.modes.downgrade(exc.mode):
                    continue
                raise EndpointError(
                    f"{self.settings.endpoint()} rejected structured output mode {exc.mode}: "
                    f"{exc}; try --structured-output json_object or text."
                ) from exc
            except _Invalid as exc:
                asked += 1
                convo += self._reask(exc, asked, schema)
                continue
            self.modes.confirm(mode)
            return value, reply, seconds, mode

    def _reask(self, exc: _Invalid, asked: int, schema: type[BaseModel]) -> Messages:
        """The turns that feed the validation error back, or ModelOutputError once the
        re-asks are spent (`asked` invalid replies so far)."""
        if asked > MAX_REASKS:
            raise ModelOutputError(
                f"Model {self.settings.model} returned invalid {schema.__name__} output "
                f"{asked} times ({excerpt(exc.error.splitlines()[0], self.settings.secrets())}); "
                "try a larger model.",
                attempts=asked,
                last_raw=exc.raw,
            ) from exc
        return [
            {"role": "assistant", "content": exc.raw},
            {"role": "user", "content": prompts.render("reask", error=exc.error)},
        ]

    def _attempt(
        self, step: str, messages: Messages, schema: type[T], max_tokens: int, mode: str
    ) -> tuple[T, Reply, float]:
        """One request (with its transport retries) and the check of its reply. Its usage is
        recorded even when the reply is then rejected."""
        sent, request = build_request(self.settings, self.info, messages, schema, max_tokens, mode)
        reply, seconds = self.transport.post(step, mode, request)
        self.usage.record(step, reply.prompt_tokens, reply.completion_tokens, seconds, cached=False)
        seen = truncation_note(self.counter, sent, reply.prompt_tokens, self.settings.endpoint())
        if seen:
            self.usage.warn(seen)
        try:
            value = validate(reply, schema, mode, max_tokens, self.settings.secrets())
        except _Invalid as exc:
            self._log(step, mode, "invalid", reply, seconds, exc.error.splitlines()[0])
            raise
        except ModelError as exc:
            outcome = "truncated" if isinstance(exc, OutputTruncatedError) else "refused"
            self._log(step, mode, outcome, reply, seconds, str(exc))
            raise
        return value, reply, seconds
