"""A run's record: when it started, its model and endpoint, tokens, calls and cost per step,
what was skipped and every warning."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from ..model import prompts
from ..model.llm import LLM
from ..schemas.briefing import RunMeta, Skipped
from ..settings import Settings
from ..story.analysis import Prepared
from .prepare import encoding_notes


class Clock:
    """When a run started, for its record."""

    def __init__(self) -> None:
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.t0 = time.monotonic()

    def seconds(self) -> float:
        return round(time.monotonic() - self.t0, 2)


def run_meta(
    settings: Settings,
    llm: LLM,
    prepared: list[Prepared],
    skipped: list[Skipped],
    clock: Clock,
) -> RunMeta:
    """The run record: model and endpoint, tokens before and after cleaning, calls and cost per
    step, what was skipped and every warning (how files were read, what the model layer saw)."""
    steps = list(llm.steps.values())
    pt = sum(s.prompt_tokens for s in steps)
    ct = sum(s.completion_tokens for s in steps)
    return RunMeta(
        model=settings.model,
        endpoint=settings.endpoint(),
        structured_output=llm.mode,
        prompt_version=prompts.version(),
        started_at=clock.started,
        wall_seconds=clock.seconds(),
        tokens_before_clean=sum(p.tokens_before for p in prepared),
        tokens_after_clean=sum(p.tokens_after for p in prepared),
        model_calls=sum(s.calls for s in steps),
        cached_calls=sum(s.cached_calls for s in steps),
        prompt_tokens=pt,
        completion_tokens=ct,
        cost_usd=llm.info.cost(pt, ct),
        steps=steps,
        skipped=skipped,
        warnings=[*encoding_notes(prepared), *llm.warnings],
    )
