"""What a run's model calls cost and did: usage per step, the warnings of the model layer,
and the log of every HTTP attempt, whatever became of it, for `briefer log`."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ..schemas.briefing import StepUsage
from ..settings import Settings
from .cache import Attempt, CallCache, store_path
from .reply import Reply, excerpt


class Usage:
    """Calls, tokens and seconds per step, and the warnings (each once), shared by threads."""

    def __init__(self, warnings: Iterable[str] = ()) -> None:
        self.steps: dict[str, StepUsage] = {}
        self.warnings: list[str] = list(warnings)
        self._lock = threading.Lock()

    def record(self, step: str, pt: int, ct: int, seconds: float, cached: bool) -> None:
        """One reply: a cached one counts as a cached call, a paid one with its tokens."""
        with self._lock:
            u = self.steps.setdefault(step, StepUsage(step=step))
            if cached:
                u.cached_calls += 1
            else:
                u.calls += 1
                u.prompt_tokens += pt
                u.completion_tokens += ct
                u.seconds += seconds

    def warn(self, *messages: str) -> None:
        """Add each warning not already given."""
        with self._lock:
            for message in messages:
                if message not in self.warnings:
                    self.warnings.append(message)


class AttemptLog:
    """Logs each attempt in the call store (the home's own one when the run does not cache), and
    passes the store's warnings on to `usage`."""

    def __init__(self, settings: Settings, store: CallCache | None, usage: Usage) -> None:
        self.settings = settings
        self.usage = usage
        self._store = store
        self._lock = threading.Lock()

    def store(self) -> CallCache:
        with self._lock:
            if self._store is None:
                self._store = CallCache(store_path(self.settings.home))
            return self._store

    def __call__(
        self, step: str, mode: str, outcome: str, reply: Reply | None, seconds: float, detail: str
    ) -> None:
        store = self.store()
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
                detail=excerpt(detail, self.settings.secrets()),
            )
        )
        self.usage.warn(*store.take_warnings())
