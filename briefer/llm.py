"""The one model layer: the openai SDK against any OpenAI-compatible endpoint.

Retries come in two layers only. Transport errors are the SDK's `max_retries`. Output that fails
validation is re-asked at most twice with the validation error fed back; then one
ModelOutputError carries the attempts and the last raw output. Structured output degrades
json_schema -> json_object (+ schema in prompt) -> plain text when the endpoint rejects a mode.
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any, TypeVar

import httpx2
import openai
from openai import OpenAI
from pydantic import BaseModel, ValidationError

from . import endpoints, prompts
from .cache import CallCache, cache_key
from .errors import (
    ConfigError,
    EndpointError,
    ModelOutputError,
    ModelRefusalError,
    OutputTruncatedError,
)
from .modeltable import ModelInfo
from .schemas import StepUsage
from .settings import Settings
from .tokens import TokenCounter

T = TypeVar("T", bound=BaseModel)

MODES = ("json_schema", "json_object", "text")
MAX_REASKS = 2
_FORMAT_HINTS = re.compile(r"response_format|json_schema|json_object|grammar|schema", re.I)


def build_client(settings: Settings, http_client: httpx2.Client | None = None) -> OpenAI:
    """Build the SDK client from resolved settings (never at import time)."""
    return OpenAI(
        api_key=settings.require_key(),
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        http_client=http_client,
    )


class _FormatRejected(Exception):
    """The endpoint refused this response_format mode (HTTP error naming it)."""

    def __init__(self, message: str, mode: str) -> None:
        super().__init__(message)
        self.mode = mode


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
        self.auto = settings.structured_output == "auto"
        start = "json_schema" if info.structured_output else "json_object"
        if self.auto:
            start = endpoints.remembered_mode(settings.endpoint(), settings.model) or start
        self.mode: str = start if self.auto else settings.structured_output
        self._lock = threading.Lock()
        self.steps: dict[str, StepUsage] = {}
        self.counter = counter
        self.warnings: list[str] = []

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

    # -- public --------------------------------------------------------------------------

    def call(self, step: str, system: str, user: str, schema: type[T], max_tokens: int) -> T:
        """One structured call: cached, validated, re-asked; raises a ModelError otherwise."""
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        key = cache_key(
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
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            try:
                value = schema.model_validate_json(hit[0])
            except ValidationError:
                pass  # schema changed under the same key; pay for a fresh answer
            else:
                self._record(step, 0, 0, 0.0, cached=True)
                return value
        convo = list(messages)
        attempts = 0
        last_raw = ""
        while True:
            attempts += 1
            try:
                value, raw, pt, ct, seconds = self._send(step, convo, schema, max_tokens)
            except _FormatRejected as exc:
                if self.auto and self._downgrade(exc.mode):
                    attempts -= 1
                    continue
                raise EndpointError(
                    f"{self.settings.endpoint()} rejected structured output mode {self.mode}: "
                    f"{exc}; try --structured-output json_object or text."
                ) from exc
            except _Invalid as exc:
                last_raw = exc.raw
                if attempts > MAX_REASKS:
                    raise ModelOutputError(
                        f"Model {self.settings.model} returned invalid {schema.__name__} output "
                        f"{attempts} times ({exc.error.splitlines()[0]}); try a larger model.",
                        attempts=attempts,
                        last_raw=last_raw,
                    ) from exc
                convo += [
                    {"role": "assistant", "content": exc.raw},
                    {"role": "user", "content": prompts.render("reask", error=exc.error)},
                ]
                continue
            if self.cache is not None:
                self.cache.put(
                    key,
                    step=step,
                    model=self.settings.model,
                    endpoint=self.settings.endpoint(),
                    raw=raw,
                    prompt_tokens=pt,
                    completion_tokens=ct,
                    seconds=seconds,
                )
            return value

    # -- transport -----------------------------------------------------------------------

    def _downgrade(self, failed: str) -> bool:
        """Move past the mode that failed; a concurrent call may have done so already."""
        with self._lock:
            if self.mode != failed:
                return True
            i = MODES.index(self.mode)
            if i + 1 >= len(MODES):
                return False
            self.mode = MODES[i + 1]
        endpoints.remember_mode(self.settings.endpoint(), self.settings.model, self.mode)
        return True

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

    def _send(
        self, step: str, messages: list[dict[str, str]], schema: type[T], max_tokens: int
    ) -> tuple[T, str, int, int, float]:
        """One HTTP attempt; its usage is recorded even when its output is then rejected."""
        mode = self.mode
        params = self._params(max_tokens)
        if mode != "json_schema":
            schema_text = json.dumps(schema.model_json_schema(), separators=(",", ":"))
            extra = prompts.render("json_instructions", schema=schema_text)
            messages = [
                {"role": "system", "content": messages[0]["content"] + "\n\n" + extra},
                *messages[1:],
            ]
        msgs: Any = messages  # plain role/content dicts; the SDK's TypedDict union is wider
        chat = self.client.chat.completions.with_raw_response
        t0 = time.monotonic()
        try:
            if mode == "json_schema":
                fmt: Any = response_format(schema, not is_openai(self.settings.base_url))
                resp: Any = chat.create(messages=msgs, response_format=fmt, **params)
            elif mode == "json_object":
                resp = chat.create(messages=msgs, response_format={"type": "json_object"}, **params)
            else:
                resp = chat.create(messages=msgs, **params)
        except openai.APIStatusError as exc:
            raise self._status_error(exc, mode) from exc
        except openai.APITimeoutError as exc:
            raise EndpointError(
                f"{self.settings.endpoint()} timed out after {self.settings.timeout:.0f}s: "
                "raise --timeout or use a faster model."
            ) from exc
        except openai.APIConnectionError as exc:
            raise EndpointError(
                f"Cannot reach {self.settings.endpoint()}: check --base-url and that the "
                "server is running."
            ) from exc
        body = resp.http_response.json()
        usage = body.get("usage") or {}
        pt, ct = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        seconds = time.monotonic() - t0
        self._record(step, pt, ct, seconds, cached=False)
        self._check_truncation(messages, pt)
        choice = (body.get("choices") or [{}])[0]
        message = choice.get("message") or {}
        raw = message.get("content") or ""
        if message.get("refusal"):
            raise ModelRefusalError(f"The model refused: {message['refusal']}")
        # The SDK's parse() would raise LengthFinishReasonError here; briefer builds its own
        # response_format, so it checks finish_reason itself and never uses a cut reply.
        if choice.get("finish_reason") == "length":
            raise OutputTruncatedError(
                f"The model's reply hit the {max_tokens}-token output limit and would be cut.",
                last_raw=raw,
            )
        if choice.get("finish_reason") == "content_filter":
            raise ModelRefusalError("The endpoint's content filter stopped the reply.")
        if not raw.strip():
            raise _Invalid(raw, "- (root): empty reply")
        try:
            text = raw if mode == "json_schema" else extract_json(raw)
            return schema.model_validate_json(text), raw, pt, ct, seconds
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

    def _status_error(self, exc: openai.APIStatusError, mode: str) -> Exception:
        text = str(exc.message)
        if exc.status_code in (400, 422, 500, 501) and _FORMAT_HINTS.search(text):
            return _FormatRejected(text[:300], mode)
        if exc.status_code in (401, 403):
            return ConfigError(
                f"{self.settings.endpoint()} rejected the API key (HTTP {exc.status_code}): "
                "check OPENAI_API_KEY."
            )
        if exc.status_code == 404:
            return EndpointError(
                f"{self.settings.endpoint()} has no model {self.settings.model!r} (HTTP 404): "
                "check --model."
            )
        return EndpointError(
            f"{self.settings.endpoint()} answered HTTP {exc.status_code}: {text[:300]}"
        )
