"""A scripted model for pipeline tests: it answers each request from the prompt it was sent
(the analysis quotes the article's own lines, the write call restates the groups shown, the
framing call gives one plain line per outlet, the contrast calls every candidate a conflict),
so a test states only what it changes. Shared by test_pipeline, test_bound and
test_interrupt."""

from __future__ import annotations

import bisect
import itertools
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx2
from pydantic import BaseModel

from briefer.settings import Settings

from .fakes import FakeEndpoint, Reply, completion


def analysis_of(text: str) -> dict[str, Any]:
    """Facts quoted from the first three long lines of the text (each quote verbatim)."""
    lines = [ln for ln in text.splitlines() if len(ln.split()) >= 15][:3]
    phrases = [" ".join(ln.split()[:8]) for ln in lines]
    return {
        "genre": "news_report",
        "tone": "neutral",
        "facts": [{"quote": p, "kind": "reported_fact"} for p in phrases],
        "loaded_wording": [],
    }


def article_text(body: dict[str, Any]) -> str:
    user = body["messages"][1]["content"]
    return user.split(">", 1)[1].split("</article>", 1)[0]


# Plain sentences with no number and no name, none repeating another: they pass every check.
FRAMING_TOPICS = ["trade", "energy", "sanctions", "diplomacy", "technology", "security"]


def step_of(body: dict[str, Any]) -> str:
    """The pipeline step a request belongs to, by the tag its first user message opens with
    (the step names of the run record)."""
    user: str = body["messages"][1]["content"]
    if user.startswith("<article"):
        return "analyse"
    if user.startswith("<candidates>"):
        return "contrast"
    if user.startswith("<outlets>"):
        return "framing"
    if user.startswith("<groups>"):
        return "synthesise-fix" if "was rejected" in user else "synthesise"
    raise AssertionError(f"a request of no known step: {user[:80]!r}")


_GROUP = re.compile(r"^(G\d+) \(reported by \d+: ([A-Z0-9, ]+)\)$")
_EVIDENCE = re.compile(r"^- (A\d+)(?: \[opinion of A\d+\])?: (.*)$")


class Shown(BaseModel):
    """A fact group as a write prompt shows it: its outlets and their sentences."""

    labels: list[str]
    sentences: list[tuple[str, str]]  # (label, sentence)


def groups_in(user: str) -> dict[str, Shown]:
    """The fact groups a write or fix prompt shows, by id."""
    block = user.split("<groups>\n", 1)[1].split("\n</groups>", 1)[0]
    out: dict[str, Shown] = {}
    current = ""
    for line in block.splitlines():
        if m := _GROUP.match(line):
            current = m.group(1)
            out[current] = Shown(labels=m.group(2).split(", "), sentences=[])
        elif m := _EVIDENCE.match(line):
            out[current].sentences.append((m.group(1), m.group(2)))
        else:
            assert not line.strip(), f"a line of no group: {line!r}"
    return out


def summary_ids(user: str) -> list[str]:
    """The groups the write prompt asks one summary sentence for."""
    return user.split("one for each of ", 1)[1].split(" in that order", 1)[0].split(", ")


def restated(user: str, gid: str) -> str:
    """What a faithful writer gives for a group: its first sentence, as shown."""
    return groups_in(user)[gid].sentences[0][1]


# The seeds' first summary sentence, restated: it passes every check.
FIXED = (
    "Russian officials were eager on Monday to reaffirm Moscow's alliance with China after "
    "Trump met Xi Jinping."
)


def write_reply(user: str) -> dict[str, Any]:
    ids = summary_ids(user)
    return {
        "headline": "Talks in Hangzhou",
        "sentences": [{"group": g, "text": restated(user, g)} for g in ids],
        "takeaways": [
            {"groups": ids[:1], "text": "Ties are deepening on several fronts."},
            {"groups": ids[1:2], "text": "Further talks will follow soon."},
        ],
    }


def framing_labels(user: str) -> list[str]:
    return user.split("For each outlet above (", 1)[1].split(")", 1)[0].split(", ")


def framing_reply(user: str) -> dict[str, Any]:
    return {
        "framings": [
            {"source": label, "text": f"Opens on the visit and stresses {topic}."}
            for label, topic in zip(framing_labels(user), FRAMING_TOPICS * 3, strict=False)
        ]
    }


def contrast_reply(user: str, verdict: str = "conflict") -> dict[str, Any]:
    ids = user.split("Each candidate above (", 1)[1].split(")", 1)[0].split(", ")
    return {
        "points": [
            {
                "candidate": i,
                "verdict": verdict,
                "topic": f"trade figure {i.lower()}",
                "context": "",
            }
            for i in ids
        ]
    }


Write = Callable[[str], dict[str, Any]]


def smart_reply(
    fail_labels: set[str] | None = None,
    truncate_over: int = 10**9,
    write: Write = write_reply,
    fix: Write | None = None,
    framing: Write = framing_reply,
) -> Reply:
    """Answers analyse calls from the article in the prompt, the write call with a plain
    sentence per summary group, the framing call with one line per outlet, contrast calls by
    calling every candidate a conflict. Each of `write`, `fix`, `framing` answers from the
    user message; a fix re-ask with no `fix` given fails the test."""

    def reply(body: dict[str, Any]) -> httpx2.Response:
        user = body["messages"][1]["content"]
        step = step_of(body)
        if step == "contrast":
            return completion(json.dumps(contrast_reply(user)))
        if step == "synthesise-fix":
            assert fix is not None, f"unexpected re-ask of the summary: {user}"
            return completion(json.dumps(fix(user)))
        if step == "synthesise":
            return completion(json.dumps(write(user)))
        if step == "framing":
            return completion(json.dumps(framing(user)))
        label = user.split('label="', 1)[1].split('"', 1)[0]
        if fail_labels and label in fail_labels:
            return completion("this is not json")
        text = article_text(body)
        if len(text) > truncate_over:
            return completion('{"genre": "cut', finish="length")
        return completion(json.dumps(analysis_of(text)))

    return reply


def smart_endpoint(calls: int, **kw: Any) -> FakeEndpoint:
    """A fake answering exactly `calls` requests with `smart_reply(**kw)`."""
    return FakeEndpoint.serving(smart_reply(**kw), calls)


def steps_sent(fake: FakeEndpoint) -> Counter[str]:
    """Requests the fake answered, by step."""
    return Counter(step_of(r) for r in fake.requests)


def _analysed_label(body: dict[str, Any]) -> str | None:
    user: str = body["messages"][1]["content"]
    return user.split('label="', 1)[1].split('"', 1)[0] if user.startswith("<article") else None


def finishing_last(label: str, others: int, reply: Reply) -> tuple[Reply, list[str]]:
    """`reply`, but the analysis of `label` is held until `others` other articles' analyses
    have been answered (and a moment more for them to be read), so it finishes last. Returns
    the wrapped reply and the labels in the order their analyses were answered."""
    answered: list[str] = []
    changed = threading.Condition()

    def held(body: dict[str, Any]) -> httpx2.Response:
        this = _analysed_label(body)
        if this == label:
            with changed:
                assert changed.wait_for(lambda: len(answered) >= others, timeout=10), answered
            time.sleep(0.2)
        response = reply(body)
        if this is not None:
            with changed:
                answered.append(this)
                changed.notify_all()
        return response

    return held, answered


def pipeline_settings(**kw: Any) -> Settings:
    values: dict[str, Any] = {
        "api_key": "k",
        "base_url": "http://127.0.0.1:9/v1",
        "model": "local-test",
        "max_retries": 0,
        "concurrency": 3,
    }
    values.update(kw)
    return Settings(**values)


def in_rounds(reply: Reply, sizes: list[int]) -> tuple[Reply, list[list[str]]]:
    """`reply`, with the calls taken in rounds of the given sizes, by arrival: each call is
    held until every call of its round has arrived, so a round's calls are all in flight
    together, and a call the code sends only once another has ended cannot join that round.
    Returns the wrapped reply and the steps of each round. A round that never fills (the code
    waited for one of its calls before sending the rest) fails the call, and so the test,
    after 10 s instead of hanging."""
    rounds: list[list[str]] = [[] for _ in sizes]
    arrived = threading.Condition()
    ends = list(itertools.accumulate(sizes))

    def held(body: dict[str, Any]) -> httpx2.Response:
        with arrived:
            seen = sum(len(r) for r in rounds)
            assert seen < ends[-1], f"a call after the last round: {rounds}"
            this = rounds[bisect.bisect_right(ends, seen)]
            this.append(step_of(body))
            arrived.notify_all()
            full = arrived.wait_for(lambda: len(this) == sizes[rounds.index(this)], timeout=10)
            assert full, f"a round that never filled (its calls were not sent together): {rounds}"
        return reply(body)

    return held, rounds
