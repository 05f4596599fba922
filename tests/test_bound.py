"""The estimate's upper bound against real runs driven as hard as a server can drive them:
every call re-asked twice, cut replies split, every summary sentence rejected and re-asked, the
longest statements and sentences fed into the write and framing prompts."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from typing import Any

import httpx2
import pytest

from briefer.ingest.files import Article, ingest
from briefer.model.llm import MAX_REASKS
from briefer.model.modeltable import lookup
from briefer.model.tokens import TokenCounter
from briefer.pipeline.estimate import (
    StepEstimate,
    estimate,
    expected_run,
    run_calls,
    upper_bound,
)
from briefer.pipeline.prepare import counter_for, prepare, prepare_articles
from briefer.pipeline.run import brief
from briefer.story.align import FactGroup, Member
from briefer.story.analysis import (
    ANALYSE_MAX_TOKENS,
    Prepared,
    analyse_budget,
    split_for_retry,
)
from briefer.story.chunking import Chunk, chunk_text
from briefer.story.synthesis import (
    CLIP_WORDS,
    MAX_EXTRA,
    MAX_SUMMARY,
    SYNTH_MAX_TOKENS,
    Slot,
    synth_messages,
)
from briefer.text.clip import clip

from .conftest import SEEDS
from .fakes import FakeEndpoint, completion
from .scripted import (
    article_text,
    contrast_reply,
    framing_reply,
    groups_in,
    pipeline_settings,
    smart_endpoint,
    step_of,
    summary_ids,
)
from .slots import whole

COUNTER = counter_for(lookup("local-test"))


def _attempt(body: dict[str, Any]) -> int:
    """1 for a first request, 2 and 3 for its re-asks (each adds a reply and an error)."""
    return (len(body["messages"]) - 2) // 2 + 1


def _long_analysis(text: str) -> dict[str, Any]:
    """Six facts located in the text (verbatim words) and loaded wording as long as the output
    limit lets it be: the analysis step validates no phrase's length."""
    lines = [ln for ln in text.splitlines() if len(ln.split()) >= 8][:6]
    facts = [{"quote": " ".join(ln.split()[:8]), "kind": "reported_fact"} for ln in lines]
    reply: dict[str, Any] = {
        "genre": "news_report",
        "tone": "neutral",
        "facts": facts,
        "loaded_wording": [{"quote": lines[0], "neutral": ""}] if lines else [],
    }
    room = ANALYSE_MAX_TOKENS - COUNTER.count(json.dumps(reply)) - 16
    if lines:
        reply["loaded_wording"][0]["neutral"] = "calm " * (room // COUNTER.count("calm " * 10) * 10)
    assert COUNTER.count(json.dumps(reply)) <= ANALYSE_MAX_TOKENS  # a real server could send it
    return reply


def _numbers_draft(user: str) -> dict[str, Any]:
    """A write reply at the output limit whose every sentence states numbers no outlet gives:
    each is rejected, and the fix prompt carries each sentence and the numbers again."""
    ids = summary_ids(user)
    per = (SYNTH_MAX_TOKENS - 60) // max(1, len(ids))
    sentences = []
    for g in ids:
        nums, text = 9001, "Trade hit"
        while COUNTER.count(f"{text} {nums},") < per - 12:
            text, nums = f"{text} {nums},", nums + 7
        sentences.append({"group": g, "text": text.rstrip(",") + "."})
    draft = {"headline": "h", "sentences": sentences, "takeaways": []}
    assert COUNTER.count(json.dumps(draft)) <= SYNTH_MAX_TOKENS
    return draft


def _invalid(tokens: int) -> str:
    """A reply that is no JSON, as long as the output limit lets it be."""
    words = max(1, tokens - 24)
    text = "I think " + "maybe " * words
    while COUNTER.count(text) > tokens:
        words -= 8
        text = "I think " + "maybe " * words
    return text


def hostile_endpoint(calls: int, cut_over: int, answer: set[str] = frozenset()) -> FakeEndpoint:
    """Every first request and its first re-ask get invalid JSON; the last re-ask of an analysis
    of more than `cut_over` characters (and not in `answer`) is cut at the output limit, so the
    chunk is split; every summary sentence is rejected, so the fix is asked. It answers exactly
    `calls` requests."""

    def reply(body: dict[str, Any]) -> httpx2.Response:
        if _attempt(body) < 3:
            return completion(_invalid(body["max_tokens"]))
        user = body["messages"][1]["content"]
        step = step_of(body)
        if step == "analyse":
            text = article_text(body)
            if len(text) > cut_over and text.strip() not in answer:
                return completion('{"genre": "cut', finish="length")
            return completion(json.dumps(_long_analysis(text)))
        if step == "contrast":
            return completion(json.dumps(contrast_reply(user)))
        if step == "framing":
            return completion(json.dumps(framing_reply(user)))
        if step == "synthesise":
            return completion(json.dumps(_numbers_draft(user)))
        # The fix: just as bad again, so every group falls back to its own sentence.
        return completion(json.dumps(_numbers_draft_for(list(groups_in(user)))))

    return FakeEndpoint.serving(reply, calls)


def _numbers_draft_for(ids: list[str]) -> dict[str, Any]:
    return _numbers_draft(f"one for each of {', '.join(ids)} in that order")


def _made(fake: FakeEndpoint, counter: TokenCounter) -> dict[str, list[int]]:
    """Per step: calls, prompt tokens and completion caps the run really sent."""
    made: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for body in fake.requests:
        m = made[step_of(body)]
        m[0] += 1
        m[1] += sum(counter.count(msg["content"]) for msg in body["messages"])
        m[2] += body["max_tokens"]  # the most the server may answer
    return made


def _largest(fake: FakeEndpoint, counter: TokenCounter) -> dict[str, int]:
    """The largest request the run sent, in tokens of its messages' text, by step."""
    largest: dict[str, int] = defaultdict(int)
    for body in fake.requests:
        size = sum(counter.count(msg["content"]) for msg in body["messages"])
        largest[step_of(body)] = max(largest[step_of(body)], size)
    return largest


@pytest.mark.parametrize("mode", ["json_schema", "text"])
def test_the_bound_holds_for_a_run_with_every_re_ask_split_and_fix(mode: str) -> None:
    settings = pipeline_settings(context_window=4000, concurrency=1, structured_output=mode)
    # Every request three times: 19 analyses (the cut ones split), the contrast, the write
    # call, its fix re-ask and the framing call.
    fake = hostile_endpoint(3 * (19 + 4), cut_over=2500)
    b = brief([SEEDS], settings, http_client=fake.client())
    est = estimate([SEEDS], settings)
    made = _made(fake, counter_for(lookup(settings.model, settings.context_window)))
    # The run really did all of it: re-asks, splits, the fix, the framing, the contrast.
    assert any(_attempt(r) == 3 for r in fake.requests)
    (chunks,) = [s.calls for s in est.steps if s.step == "analyse"]
    assert sum(1 for r in fake.requests if step_of(r) == "analyse" and _attempt(r) == 1) > chunks
    assert {step: m[0] for step, m in made.items()} == {
        "analyse": 3 * 19,
        "contrast": 3,
        "synthesise": 3,
        "synthesise-fix": 3,
        "framing": 3,
    }
    assert b.verification.contradiction_candidates
    # Every group fell back to its own sentence: none of the drafts' numbers is shown.
    assert b.summary and not any("9001" in s.text or "number" in str(s.flags) for s in b.summary)

    bound = {s.step: s for s in est.bound}
    for step, (calls, prompt, completion_cap) in made.items():
        assert calls <= bound[step].calls, step
        assert prompt <= bound[step].prompt_tokens, (step, prompt, bound[step].prompt_tokens)
        assert completion_cap <= bound[step].max_completion_tokens, step
    assert b.run.model_calls == len(fake.requests) <= sum(s.calls for s in est.bound)
    # And no single request was larger than the bound's largest prompt of its step.
    for step, size in _largest(fake, counter_for(lookup(settings.model))).items():
        assert size <= bound[step].largest_prompt, (step, size, bound[step].largest_prompt)
    # The expected figure is no bound: this run made far more calls than it counts.
    assert sum(s.calls for s in est.steps) < len(fake.requests)


def test_a_quiet_run_stays_between_the_expected_figure_and_the_bound() -> None:
    settings = pipeline_settings(concurrency=1)
    fake = smart_endpoint(8)  # 5 analyses, the contrast, the write and framing calls
    b = brief([SEEDS], settings, http_client=fake.client())
    est = estimate([SEEDS], settings)
    assert sum(s.calls for s in est.steps) == b.run.model_calls < sum(s.calls for s in est.bound)
    # The analyses' prompts are counted exactly: the largest is the largest request sent.
    (analyse,) = [s for s in est.steps if s.step == "analyse"]
    sent = _largest(fake, counter_for(lookup(settings.model)))
    assert analyse.largest_prompt == sent["analyse"] and analyse.fits(
        lookup("local-test").context_window
    )


def test_a_small_local_model_is_neither_asked_for_framing_lines_nor_counted_for_them() -> None:
    settings = pipeline_settings(concurrency=1, model="qwen2.5-coder-1.5b-instruct")
    # 6 analyses (it reads parts of at most 2,000 tokens: seed 000 is two), the contrast and
    # the write call; no framing call.
    fake = smart_endpoint(8)
    b = brief([SEEDS], settings, http_client=fake.client())
    est = estimate([SEEDS], settings)
    assert sorted({step_of(r) for r in fake.requests}) == ["analyse", "contrast", "synthesise"]
    assert "framing" not in {s.step for s in [*est.steps, *est.bound]}
    assert sum(s.calls for s in est.steps) == b.run.model_calls == len(fake.requests) == 8
    assert not any(o.framing_by_model for o in b.outlets)


@pytest.mark.parametrize("model", ["local-test", "gpt-4.1-mini", "qwen2.5-coder-1.5b-instruct"])
def test_the_expected_run_is_part_of_the_walk_the_bound_counts(model: str) -> None:
    """Both figures come from one list of calls: each call of the expected run is a first ask
    the bound counts at least as large (and re-asks); the bound only adds calls to it."""
    info = lookup(model)
    counter = counter_for(info)
    prepared, _ = prepare([SEEDS], counter)
    steps = run_calls(prepared, counter, info, analyse_budget(info, counter))
    expected = {s.step: s for s in expected_run(steps)}
    most = {s.step: s for s in upper_bound(steps, counter)}
    assert set(expected) < set(most) and "synthesise-fix" not in expected
    for name, e in expected.items():
        assert e.calls and e.calls * (1 + MAX_REASKS) <= most[name].calls, name
        assert e.prompt_tokens < most[name].prompt_tokens, name
        assert e.largest_prompt < most[name].largest_prompt, name
        assert e.output_cap == most[name].output_cap, name
    assert all(c.expected is None or c.expected < c.worst for s in steps for c in s.calls)


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
    settings = pipeline_settings(concurrency=1)
    article = SEEDS / "000_37727bd3f3f41417.txt"
    (prepared,) = prepare_articles(ingest([article]).articles, counter_for(lookup("local-test")))
    leaves = _leaves(prepared.text)
    (bound,) = [s for s in estimate([article], settings).bound if s.step == "analyse"]
    # The analyses the bound counts, then the write and framing calls, three times each (the
    # blog is an opinion piece: it has no reportable fact to write a sentence for or re-ask).
    fake = hostile_endpoint(bound.calls + 3 + 3, cut_over=0, answer=leaves)
    b = brief([article], settings, http_client=fake.client())
    analyse = [r for r in fake.requests if step_of(r) == "analyse"]
    assert len(analyse) == bound.calls == b.run.steps[0].calls
    assert len(leaves) > 1 and len(analyse) > 3 * len(leaves)  # split, every piece re-asked
    assert sum(r["max_tokens"] for r in analyse) == bound.max_completion_tokens


def _random_article(rng: random.Random, label: str) -> str:
    """Sentences of random length, some with words far longer than any real one."""
    words = ["trade", "talks", "Beijing", "x" * rng.randint(20, 90), "cooperation", "2025,"]
    return "\n".join(
        " ".join(rng.choice(words) for _ in range(rng.randint(6, 90))) + "."
        for _ in range(rng.randint(3, 25))
    )


def _random_groups(rng: random.Random, texts: dict[str, str]) -> list[Slot]:
    from briefer.text.sentences import split_sentences

    groups = []
    for i in range(1, MAX_SUMMARY + MAX_EXTRA + 1):
        labels = rng.sample(sorted(texts), rng.randint(1, len(texts)))
        members = []
        for label in labels:
            sentences = split_sentences(texts[label])
            at = rng.randrange(len(sentences))
            kind = rng.choice(["reported_fact", "opinion"])
            members.append(
                Member(
                    label=label,
                    sentence=sentences[at].text,
                    position=at,
                    relative=0.0,
                    kind=kind,
                    seeded=rng.random() < 0.5,
                )
            )
        groups.append(whole(FactGroup(id=f"G{i}", members=members)))
    return groups


@pytest.mark.parametrize("seed", range(12))
def test_the_write_prompt_never_outgrows_its_bound(seed: int) -> None:
    """Random articles and random fact groups of their sentences, as many as the write call
    can carry: the first prompt, sent three times, stays within the write step's bound (each
    re-ask only adds to it)."""
    rng = random.Random(seed)
    texts = {f"A{i}": _random_article(rng, f"A{i}") for i in range(1, rng.randint(2, 6) + 1)}
    articles = [
        Article(
            id=label,
            path=f"{label}.txt",
            title="t",
            outlet=f"Outlet {label}",
            outlet_source="file",
            text=text,
        )
        for label, text in texts.items()
    ]
    prepared = prepare_articles(articles, COUNTER)
    assert all(p.text.strip() == texts[p.label].strip() for p in prepared)  # cleaning kept it
    groups = _random_groups(rng, texts)
    system, user = synth_messages(groups[:MAX_SUMMARY], groups[MAX_SUMMARY:])
    first = COUNTER.count(system) + COUNTER.count(user)
    est = estimate_steps(prepared)
    assert 3 * first <= est["synthesise"].prompt_tokens
    assert max(COUNTER.count(clip(m.sentence, CLIP_WORDS)) for g in groups for m in g.shown) > 40


def estimate_steps(prepared: list[Prepared]) -> dict[str, StepEstimate]:
    info = lookup("local-test")
    steps = run_calls(prepared, COUNTER, info, analyse_budget(info, COUNTER))
    return {s.step: s for s in upper_bound(steps, COUNTER)}
