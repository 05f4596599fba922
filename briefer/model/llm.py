"""The one model layer: the openai SDK against any OpenAI-compatible endpoint.

Retries come in two layers only. A transport failure is retried by transport.py, every attempt
inside one time budget per call. Output that fails validation is re-asked at most twice with
the validation error fed back; then one ModelOutputError carries the attempts and the last raw
output. Structured output degrades json_schema -> json_object (+ schema in prompt) -> plain
text only when the endpoint answers a 4xx naming the response format; the downgrade is
remembered for a while (endpoints.py), never because of a 5xx. Every HTTP attempt, whatever
became of it, is logged in the call store for `briefer log`.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any, TypeVar

import httpx2
import openai
from openai import OpenAI
from pydantic import BaseModel, ValidationError

from ..errors import (
    EndpointError,
    ModelError,
    ModelOutputError,
    ModelRefusalError,
    OutputTruncatedError,
)
from ..schemas import StepUsage
from ..settings import Settings
from . import endpoints, prompts
from .cache import Attempt, CallCache, cache_key, store_path
from .modeltable import ModelInfo
from .reply import Reply, excerpt
from .tokens import TokenCounter
from .transport import FormatRejected, Transport

T = TypeVar("T", bound=BaseModel)

MODES = ("json_schema", "json_object", "text")
MAX_REASKS = 2


def build_client(settings: Settings, http_client: httpx2.Client | None = None) -> OpenAI:
    """Build the SDK client from resolved settings (never at import time)."""
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


def _strip_key(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return {k: _strip_key(v, key) for k, v in node.items() if k != key}
    if isinstance(node, list):
        return [_strip_key(v, key) for v in node]
    return node


def is_openai(base_url: str | None) -> bool:
    return base_url is None or "api.openai.com" in base_url


def response_format(schema: type[BaseModel], length_limits: bool) -> dict[str, Any]:
    """The strict json_schema response_format for `schema`, built by the SDK's own converter.

    `length_limits` keeps the schema's string maxLength: grammar-constrained servers enforce it
    (and so stop a small model looping inside a string); OpenAI's strict mode does not take it.
    """
    params = openai.pydantic_function_tool(schema)["function"].get("parameters", {})
    if not length_limits:
        params = _strip_key(params, "maxLength")
    return {
        "type": "json_schema",
        "json_schema": {"name": schema.__name__, "schema": params, "strict": True},
    }


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


class LLM:
    """Structured calls with caching, mode fallback, re-asks and per-step usage accounting."""

    def __init__(
        self,
        settings: Settings,
        info: ModelInfo,
        client: OpenAI,
        cache: CallCache | None,
        counter: TokenCounter | None = None,
    ) -> None:
        self.settings = settings
        self.info = info
        self.client = client
        self.cache = cache
        self.counter = counter
        self.auto = settings.structured_output == "auto"
        self.mode: str = settings.structured_output
        self._recheck = False  # a stored downgrade was due a re-check: store what works now
        if self.auto:
            best = "json_schema" if info.structured_output else "json_object"
            stored = endpoints.remembered(settings.home, settings.endpoint(), settings.model)
            self._recheck = stored is not None and stored.stale()
            self.mode = stored.mode if stored and not self._recheck else best
        self.transport = Transport(settings, client, self._log)
        self._attempt_log = cache  # --no-cache still logs attempts, in the home's store
        self._lock = threading.Lock()
        self.steps: dict[str, StepUsage] = {}
        self.warnings: list[str] = cache.take_warnings() if cache else []

    # -- accounting ----------------------------------------------------------------------

    def _record(self, step: str, pt: int, ct: int, seconds: float, cached: bool) -> None:
        with self._lock:
            u = self.steps.setdefault(step, StepUsage(step=step))
            if cached:
                u.cached_calls += 1
            else:
                u.calls += 1
                u.prompt_tokens += pt
                u.completion_tokens += ct
                u.seconds += seconds

    def _store(self) -> CallCache:
        with self._lock:
            if self._attempt_log is None:
                self._attempt_log = CallCache(store_path(self.settings.home))
            return self._attempt_log

    def _take_warnings(self, store: CallCache) -> None:
        for warning in store.take_warnings():
            with self._lock:
                if warning not in self.warnings:
                    self.warnings.append(warning)

    def _log(
        self, step: str, mode: str, outcome: str, reply: Reply | None, seconds: float, detail: str
    ) -> None:
        store = self._store()
        store.log(
            Attempt(
                step=step,
                model=self.settings.model,
                endpoint=self.settings.endpoint(),
                mode=mode,
                outcome=outcome,
                prompt_tokens=reply.prompt_tokens if reply else 0,
                completion_tokens=reply.completion_tokens if reply else 0,
                seconds=seconds,
                detail=self._quote(detail),
            )
        )
        self._take_warnings(store)

    def _quote(self, text: str) -> str:
        """Server-provided text as it may appear in a message: redacted, one line, bounded."""
        return excerpt(text, self.settings.secrets())

    # -- public --------------------------------------------------------------------------

    def call(self, step: str, system: str, user: str, schema: type[T], max_tokens: int) -> T:
        """One structured call: cached, validated, re-asked; raises a ModelError otherwise."""
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        key = self._key(messages, schema, max_tokens)
        if (hit := self._cached(key, schema)) is not None:
            self._record(step, 0, 0, 0.0, cached=True)
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
        self._take_warnings(self.cache)
        return value

    def _key(self, messages: list[dict[str, str]], schema: type[BaseModel], max_tokens: int) -> str:
        return cache_key(
            {
                "endpoint": self.settings.cache_endpoint(),
                "model": self.settings.model,
                "messages": messages,
                "schema": schema.model_json_schema(),
                "temperature": self.settings.temperature,
                "seed": self.settings.seed,
                "max_tokens": max_tokens,
                "extra_body": self.settings.extra_body,
                "prompt_version": prompts.version(),
            }
        )

    def _cached(self, key: str, schema: type[T]) -> T | None:
        if self.cache is None:
            return None
        hit = self.cache.get(key)
        self._take_warnings(self.cache)
        if hit is None:
            return None
        try:
            return schema.model_validate_json(hit[0])
        except ValidationError:
            return None  # schema changed under the same key; pay for a fresh answer

    def _converse(
        self, step: str, messages: list[dict[str, str]], schema: type[T], max_tokens: int
    ) -> tuple[T, Reply, float, str]:
        """Ask until a reply validates: past a rejected mode, re-asking an invalid reply."""
        convo = list(messages)
        asked = 0
        while True:
            mode = self.mode
            asked += 1
            try:
                value, reply, seconds = self._attempt(step, convo, schema, max_tokens, mode)
            except FormatRejected as exc:
                asked -= 1
                if self.auto and self._downgrade(exc.mode):
                    continue
                raise EndpointError(
                    f"{self.settings.endpoint()} rejected structured output mode {exc.mode}: "
                    f"{exc}; try --structured-output json_object or text."
                ) from exc
            except _Invalid as exc:
                if asked > MAX_REASKS:
                    raise ModelOutputError(
                        f"Model {self.settings.model} returned invalid {schema.__name__} output "
                        f"{asked} times ({self._quote(exc.error.splitlines()[0])}); "
                        "try a larger model.",
                        attempts=asked,
                        last_raw=exc.raw,
                    ) from exc
                convo += [
                    {"role": "assistant", "content": exc.raw},
                    {"role": "user", "content": prompts.render("reask", error=exc.error)},
                ]
                continue
            self._confirm(mode)
            return value, reply, seconds, mode

    # -- structured-output modes ---------------------------------------------------------

    def _downgrade(self, failed: str) -> bool:
        """Move past the mode that failed; a concurrent call may have done so already."""
        with self._lock:
            if self.mode != failed:
                return True
            i = MODES.index(self.mode)
            if i + 1 >= len(MODES):
                return False
            self.mode = MODES[i + 1]
            self._recheck = False
        endpoints.remember_mode(
            self.settings.home, self.settings.endpoint(), self.settings.model, self.mode
        )
        return True

    def _confirm(self, mode: str) -> None:
        """After a re-check of a stale downgrade, store the mode that works now."""
        with self._lock:
            recheck, self._recheck = self._recheck, False
        if recheck:
            endpoints.remember_mode(
                self.settings.home, self.settings.endpoint(), self.settings.model, mode
            )

    # -- one request ---------------------------------------------------------------------

    def _params(self, max_tokens: int) -> dict[str, Any]:
        p: dict[str, Any] = {"model": self.settings.model}
        if self.info.supports_temperature:
            p["temperature"] = self.settings.temperature
        if self.settings.seed is not None:
            p["seed"] = self.settings.seed
        # OpenAI's newer models want max_completion_tokens; other servers know max_tokens.
        if is_openai(self.settings.base_url):
            p["max_completion_tokens"] = max_tokens
        else:
            p["max_tokens"] = max_tokens
        if self.settings.extra_body:
            p["extra_body"] = self.settings.extra_body
        return p

    def _request(
        self, messages: list[dict[str, str]], schema: type[BaseModel], max_tokens: int, mode: str
    ) -> tuple[list[dict[str, str]], dict[str, Any]]:
        """The messages as sent (the schema goes in the prompt below json_schema) and the
        create() arguments."""
        if mode != "json_schema":
            schema_text = json.dumps(schema.model_json_schema(), separators=(",", ":"))
            extra = prompts.render("json_instructions", schema=schema_text)
            messages = [
                {"role": "system", "content": messages[0]["content"] + "\n\n" + extra},
                *messages[1:],
            ]
        request: dict[str, Any] = {"messages": messages, **self._params(max_tokens)}
        if mode == "json_schema":
            request["response_format"] = response_format(
                schema, not is_openai(self.settings.base_url)
            )
        elif mode == "json_object":
            request["response_format"] = {"type": "json_object"}
        return messages, request

    def _attempt(
        self,
        step: str,
        messages: list[dict[str, str]],
        schema: type[T],
        max_tokens: int,
        mode: str,
    ) -> tuple[T, Reply, float]:
        """One request (with its transport retries) and the check of its reply. Its usage is
        recorded even when the reply is then rejected."""
        sent, request = self._request(messages, schema, max_tokens, mode)
        reply, seconds = self.transport.post(step, mode, request)
        self._record(step, reply.prompt_tokens, reply.completion_tokens, seconds, cached=False)
        self._check_truncation(sent, reply.prompt_tokens)
        try:
            return self._validate(reply, schema, mode, max_tokens), reply, seconds
        except _Invalid as exc:
            self._log(step, mode, "invalid", reply, seconds, exc.error.splitlines()[0])
            raise
        except ModelError as exc:
            outcome = "truncated" if isinstance(exc, OutputTruncatedError) else "refused"
            self._log(step, mode, outcome, reply, seconds, str(exc))
            raise

    def _validate(self, reply: Reply, schema: type[T], mode: str, max_tokens: int) -> T:
        raw = reply.content
        if reply.refusal:
            raise ModelRefusalError(f"The model refused: {self._quote(reply.refusal)}")
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

    def _check_truncation(self, messages: list[dict[str, str]], prompt_tokens: int) -> None:
        """Servers with a small context (Ollama's default) cut the prompt silently: say so."""
        if self.counter is None or not prompt_tokens:
            return
        sent = sum(self.counter.count(m["content"]) for m in messages)
        # Tokenizers differ between models by far less than half; below that, text was cut.
        if prompt_tokens < sent * 0.5:
            note = (
                f"{self.settings.endpoint()} read {prompt_tokens} prompt tokens of about {sent} "
                "sent, so it probably truncated the input: pass --context-window with the "
                "server's real context size (for Ollama, raise num_ctx)."
            )
            with self._lock:
                if note not in self.warnings:
                    self.warnings.append(note)
