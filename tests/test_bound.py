"""The estimate's upper bound against real runs driven as hard as a server can drive them:
every call re-asked twice, cut replies split, the reduce in groups, the number fix."""

from __future__ import annotations

import contextlib
import json
import random
from collections import defaultdict
from typing import Any

import httpx2
import pytest

from briefer.briefing.analysis import analyse_budget, split_for_retry
from briefer.briefing.bound import RENDER_TOKENS, reduce_prompts
from briefer.briefing.chunking import Chunk, chunk_text
from briefer.briefing.pipeline import brief, counter_for, estimate, prepare_articles
from briefer.briefing.synthesis import SYNTH_MAX_TOKENS, synth_budget, synth_messages, synthesise
from briefer.errors import ConfigError
from briefer.ingest.files import ingest
from briefer.model.modeltable import lookup
from briefer.model.tokens import TokenCounter
from briefer.schemas import Synthesis

from .conftest import SEEDS
from .fakes import FakeEndpoint, completion
from .test_pipeline import (
    _analysis,
    _article_text,
    _contrast,
    _settings,
    _synthesis,
    smart_endpoint,
)


def _attempt(body: dict[str, Any]) -> int:
    """1 for a first request, 2 and 3 for its re-asks (each adds a reply and an error)."""
    return (len(body["messages"]) - 2) // 2 + 1


def _step(body: dict[str, Any]) -> str:
    user = body["messages"][1]["content"]
    if user.startswith("<article"):
        return "analyse"
    if user.startswith("<candidates>"):
        return "contrast"
    if user.startswith("<briefing>"):
        return "synthesise-fix"
    return "synthesise"


def hostile_endpoint(calls: int, cut_over: int, answer: set[str] = frozenset()) -> FakeEndpoint:
    """Every first request and its first re-ask get invalid JSON; the last re-ask of an analysis
    of more than `cut_over` characters (and not in `answer`) is cut at the output limit, so the
    chunk is split; the synthesis states a number no article has, so the fix is asked. It
    answers exactly `calls` requests."""

    def reply(body: dict[str, Any]) -> httpx2.Response:
        if _attempt(body) < 3:
            return completion("I think the answer is {not json")
        user = body["messages"][1]["content"]
        step = _step(body)
        if step == "analyse":
            text = _article_text(body)
            if len(text) > cut_over and text.strip() not in answer:
                return completion('{"summary": "cut', finish="length")
            return completion(json.dumps(_analysis(text)))
        if step == "contrast":
            return completion(json.dumps(_contrast(user)))
        labels = user.split("(labels: ", 1)[1].split(")", 1)[0].split(", ")
        draft = _synthesis(labels)
        if step == "synthesise":
            draft["summary"] = [{"text": "Trade topped $300 billion.", "sources": labels[:1]}]
        return completion(json.dumps(draft))

    return FakeEndpoint.serving(reply, calls)


@pytest.mark.parametrize("mode", ["json_schema", "text"])
def test_the_bound_holds_for_a_run_with_every_re_ask_split_group_and_fix(mode: str) -> None:
    settings = _settings(context_window=4000, concurrency=1, structured_output=mode)
    # Every request three times: 37 analyses (the cut ones split), 3 groups and the final
    # synthesis, the number fix and the contrast.
    fake = hostile_endpoint(3 * (37 + 4 + 1 + 1), cut_over=2500)
    b = brief([SEEDS], settings, http_client=fake.client())
    est = estimate([SEEDS], settings)

    counter = counter_for(lookup(settings.model, settings.context_window))
    made: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for body in fake.requests:
        m = made[_step(body)]
        m[0] += 1
        m[1] += sum(counter.count(msg["content"]) for msg in body["messages"])
        m[2] += body["max_tokens"]  # the most the server may answer
    # The run really did all of it: re-asks, splits, grouped reduce, number fix, contrast.
    assert any(_attempt(r) == 3 for r in fake.requests)
    (chunks,) = [s.calls for s in est.steps if s.step == "analyse"]
    assert sum(1 for r in fake.requests if _step(r) == "analyse" and _attempt(r) == 1) > chunks
    assert any(s.step == "synthesise-group" for s in b.run.steps)
    assert b.verification.number_reasks == 1 and b.verification.contradiction_candidates

    bound = {s.step: s for s in est.bound}
    for step, (calls, prompt, completion_cap) in made.items():
        assert calls <= bound[step].calls, step
        assert prompt <= bound[step].prompt_tokens, step
        assert completion_cap <= bound[step].max_completion_tokens, step
    assert b.run.model_calls == len(fake.requests) <= sum(s.calls for s in est.bound)
    # The expected figure is no bound: this run made far more calls than it counts.
    assert sum(s.calls for s in est.steps) < len(fake.requests)


def test_a_quiet_run_stays_between_the_expected_figure_and_the_bound() -> None:
    settings = _settings(concurrency=1)
    fake = smart_endpoint(7)  # 5 analyses, the synthesis, the contrast
    b = brief([SEEDS], settings, http_client=fake.client())
    est = estimate([SEEDS], settings)
    assert sum(s.calls for s in est.steps) == b.run.model_calls < sum(s.calls for s in est.bound)


def _leaves(text: str) -> set[str]:
    """The pieces of an article that the run's own splitting cannot split again."""
    info = lookup("local-test")
    counter = counter_for(info)

    def walk(chunk: Chunk, depth: int) -> list[str]:
        pieces = split_for_retry(counter, chunk, depth)
        return [leaf for p in pieces for leaf in walk(p, depth + 1)] if pieces else [chunk.text]

    chunks = chunk_text(text, counter, analyse_budget(info, counter))
    return {leaf.strip() for c in chunks for leaf in walk(c, 0)}


def test_the_bound_is_reached_when_every_reply_that_can_be_cut_is() -> None:
    """Each request re-asked twice; every piece that can still be split has its reply cut, the
    rest answer. The run then makes exactly the analyse calls the bound counts."""
    settings = _settings(concurrency=1)
    article = SEEDS / "000_37727bd3f3f41417.txt"
    (prepared,) = prepare_articles(ingest([article]).articles, counter_for(lookup("local-test")))
    leaves = _leaves(prepared.text)
    (bound,) = [s for s in estimate([article], settings).bound if s.step == "analyse"]
    # The analyses the bound counts, then the synthesis and its number fix, three times each.
    fake = hostile_endpoint(bound.calls + 3 + 3, cut_over=0, answer=leaves)
    b = brief([article], settings, http_client=fake.client())
    analyse = [r for r in fake.requests if _step(r) == "analyse"]
    assert len(analyse) == bound.calls == b.run.steps[0].calls
    assert len(leaves) > 1 and len(analyse) > 3 * len(leaves)  # split, every piece re-asked
    assert sum(r["max_tokens"] for r in analyse) == bound.max_completion_tokens


class _Reducer:
    """Stands in for the model in `synthesise`: records each prompt's analyses and answers with
    a partial briefing as long as a reply at the output cap can be."""

    def __init__(self, counter: TokenCounter) -> None:
        self.counter = counter
        self.carried: list[int] = []

    def call(self, step: str, system: str, user: str, schema: Any, max_tokens: int) -> Synthesis:
        labels = user.split("(labels: ", 1)[1].split(")", 1)[0].split(", ")
        template = synth_messages([], labels)[1]
        self.carried.append(self.counter.count(user) - self.counter.count(template))
        long = " ".join(["word"] * 200)
        sentences = [{"text": long, "sources": labels[:5]} for _ in range(4)]
        return Synthesis.model_validate(
            {"headline": "h", "summary": sentences, "takeaways": sentences, "omissions": []}
        )


@pytest.mark.parametrize("seed", range(12))
def test_reduce_prompts_never_undercounts_the_real_reduce(seed: int) -> None:
    """Random analyses sizes and windows through the real `synthesise`: it never makes more
    calls, or carries more analysis tokens in one call, than the bound allows."""
    rng = random.Random(seed)
    info = lookup("local-test", rng.choice([4096, 6144, 8192]))
    counter = counter_for(info)
    blocks = [
        (f"A{i}", " ".join(["fact"] * rng.randint(50, 1500)))
        for i in range(1, rng.randint(1, 12) + 1)
    ]
    labels = [label for label, _ in blocks]
    reducer = _Reducer(counter)
    with contextlib.suppress(ConfigError):  # every analysis alone over the budget: run stops
        synthesise(reducer, counter, info, blocks)  # type: ignore[arg-type]
    budget = synth_budget(info, counter, labels)
    partial = SYNTH_MAX_TOKENS + counter.count(", ".join(labels)) + RENDER_TOKENS
    bound = reduce_prompts([counter.count(t) + 2 for _, t in blocks], budget, partial)
    assert len(reducer.carried) <= len(bound)
    assert max(reducer.carried, default=0) <= max(bound)
