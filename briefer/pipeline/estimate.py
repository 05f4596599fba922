"""What a briefing run will cost, worked out locally before it runs: the expected run and the most
a run can make, both from one walk over the calls the run makes.

The walk lists, step by step, each call with two prompt sizes: its size in the expected run and
its largest size. The expected run is one reply per call, each at its output cap: the chunks of
each article, the write call, the framing call if the model is asked for it, the contrast if
any pair of outlets' figures differs. The write and framing prompts are sized from a guess per
fact group and per outlet (no call is made, so their groups are unknown).

A real run can make more, and the bound assumes every one of these happens:

- every structured call may be re-asked MAX_REASKS times, each re-ask resending the whole
  conversation plus the rejected reply (at most the call's output cap) and the error list;
- a chunk whose reply is cut at the output cap is split and retried, MAX_SPLITS levels deep
  (the same `split_for_retry` the run uses, on the same text, so the split tree is exact);
- the write step may be re-asked once for the sentences code rejected (`synthesise-fix`);
- the write and framing prompts carry at most MAX_SUMMARY + MAX_EXTRA groups of
  EVIDENCE_PER_GROUP sentences each, and one block per outlet, each sentence clipped.

It takes the largest prompt each call can carry: each reply at its output cap, the
JSON-in-prompt instructions of the fallback modes included. Tokens are counted with the model
table's tokenizer (exact for OpenAI models, an approximation for local ones), plus an allowance
for chat formatting per message. Not counted: transport retries of requests that failed (a 5xx,
a refused connection) and requests an endpoint rejects for their response format: those return
an error, not a reply, and are not billed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from ..model import prompts
from ..model.llm import MAX_REASKS
from ..model.modeltable import ModelInfo, lookup
from ..model.tokens import TokenCounter
from ..schemas.briefing import Skipped
from ..schemas.replies import SENTENCE_CHARS, ArticleAnalysis, ContrastReport, Framings, Synthesis
from ..settings import Settings
from ..story.analysis import (
    ANALYSE_MAX_TOKENS,
    Prepared,
    analyse_budget,
    analyse_chunks,
    analyse_messages,
    split_for_retry,
)
from ..story.chunking import Chunk
from ..story.contrast import (
    CONTRAST_MAX_TOKENS,
    MAX_CANDIDATES,
    candidates,
    contrast_messages,
    mentions,
)
from ..story.framing import FRAMING_MAX_TOKENS, framing_messages
from ..story.outlets import MAX_OMISSIONS, MAX_ONLY
from ..story.synthesis import (
    CLIP_WORDS,
    EVIDENCE_PER_GROUP,
    MAX_EXTRA,
    MAX_SUMMARY,
    SYNTH_MAX_TOKENS,
    fix_messages,
    summary_size,
    synth_messages,
)
from ..text.clip import clip
from ..text.sentences import split_sentences
from .prepare import counter_for, encoding_notes, prepare, within_limit

MESSAGE_TOKENS = 8  # chat formatting around each message (OpenAI adds 3 or 4; templates more)
REASK_ERROR_TOKENS = 512  # the validation errors fed back: at most 8 short lines
RENDER_TOKENS = 64  # the fixed text around one sentence or block in a write prompt
# The expected run's guesses: a fact group renders to ~150 tokens, an outlet's profile to ~200.
GROUP_TOKENS_GUESS = 150
OUTLET_TOKENS_GUESS = 200


class StepEstimate(BaseModel):
    step: str
    calls: int
    prompt_tokens: int
    max_completion_tokens: int
    # The step's largest single prompt, and the output cap of its calls: a call whose prompt
    # and cap together exceed the context window is refused by the endpoint.
    largest_prompt: int = 0
    output_cap: int = 0

    def fits(self, window: int) -> bool:
        return not self.calls or self.largest_prompt + self.output_cap <= window


class Estimate(BaseModel):
    """What a run will cost, worked out locally: `steps` is the expected run (one reply per
    call, each at most its output cap: no re-asks, split retries or re-written summary
    sentences); `bound` the most a run can make; `warnings` how files were read, and which
    expected prompts do not fit the context window."""

    model: str
    context_window: int
    encoding: str
    known_model: bool
    articles: int
    skipped: list[Skipped]
    warnings: list[str]
    tokens_before_clean: int
    tokens_after_clean: int
    steps: list[StepEstimate]
    bound: list[StepEstimate]
    expected_cost_usd: float | None
    max_cost_usd: float | None


@dataclass(frozen=True)
class Call:
    """One call of a step: its prompt tokens in the expected run (None: only a worst-case run
    makes it), and at its largest on the first ask, the fallback modes' schema text included."""

    expected: int | None
    worst: int


@dataclass
class Step:
    """A step's calls, all with the output cap `cap`. `expected`: whether the expected run
    lists the step (the fix re-ask and a contrast with no candidate pair it does not)."""

    name: str
    cap: int
    calls: list[Call] = field(default_factory=list)
    expected: bool = True


@functools.cache
def _schema_prompt(schema: type[BaseModel]) -> str:
    """What the json_object and text modes add to the system prompt (see llm.LLM._send)."""
    text = json.dumps(schema.model_json_schema(), separators=(",", ":"))
    return "\n\n" + prompts.render("json_instructions", schema=text)


@dataclass(frozen=True)
class _Sizer:
    """Prompt sizes of a message pair, as the expected run and the bound count them."""

    counter: TokenCounter

    def tokens(self, messages: tuple[str, str]) -> int:
        return sum(self.counter.count(m) for m in messages)

    def largest(self, messages: tuple[str, str], schema: type[BaseModel], content: int) -> int:
        """A first ask of these messages carrying `content` tokens more, with the schema text
        the fallback modes add and the chat formatting around its two messages."""
        schema_text = self.counter.count(_schema_prompt(schema))
        return self.tokens(messages) + schema_text + 2 * MESSAGE_TOKENS + content


def _split_tree(counter: TokenCounter, chunk: Chunk, depth: int = 0) -> Iterator[Chunk]:
    """Every piece a chunk can be sent as when each reply is cut, the chunk itself first."""
    yield chunk
    for piece in split_for_retry(counter, chunk, depth):
        yield from _split_tree(counter, piece, depth + 1)


def _analyse(prepared: Sequence[Prepared], sizer: _Sizer, budget: int) -> Step:
    """One call per chunk; at worst, one per piece of its splits too."""
    step = Step("analyse", ANALYSE_MAX_TOKENS)
    for p in prepared:
        for chunk in analyse_chunks(p, sizer.counter, budget):
            for piece in _split_tree(sizer.counter, chunk):
                messages = analyse_messages(p, piece)
                expected = sizer.tokens(messages) if piece is chunk else None
                step.calls.append(Call(expected, sizer.largest(messages, ArticleAnalysis, 0)))
    return step


def _longest_sentence(prepared: Sequence[Prepared], counter: TokenCounter) -> int:
    """Tokens of the longest sentence, clipped as the write steps clip it, in any article."""
    return max(
        (
            counter.count(clip(s.text, CLIP_WORDS))
            for p in prepared
            for s in split_sentences(p.text)
        ),
        default=0,
    )


def _write(prepared: Sequence[Prepared], sizer: _Sizer, line: int) -> tuple[Step, Step]:
    """The write call and its one re-ask for rejected sentences (made only at worst), each
    carrying the groups' sentences; the re-ask also the rejected draft and its reasons."""
    groups = (MAX_SUMMARY + MAX_EXTRA) * (EVIDENCE_PER_GROUP * line + RENDER_TOKENS)
    guess = GROUP_TOKENS_GUESS * (summary_size(len(prepared)) + MAX_EXTRA)
    synth = Step("synthesise", SYNTH_MAX_TOKENS)
    messages = synth_messages([], [])
    synth.calls.append(
        Call(sizer.tokens(messages) + guess, sizer.largest(messages, Synthesis, groups))
    )
    fix = Step("synthesise-fix", SYNTH_MAX_TOKENS, expected=False)
    draft = groups + SYNTH_MAX_TOKENS + 120
    fix.calls.append(Call(None, sizer.largest(fix_messages([], [], ""), Synthesis, draft)))
    return synth, fix


def _framing(prepared: Sequence[Prepared], sizer: _Sizer, line: int) -> Step:
    """One call carrying each outlet's block: its name, title, lead, sentences only it has and
    its omissions (each naming the outlets that have it)."""
    count = sizer.counter.count
    sentence = max(line, SENTENCE_CHARS + RENDER_TOKENS)
    names = sum(count(p.article.outlet) for p in prepared)
    blocks = sum(
        count(p.article.outlet)
        + count(p.article.title)
        + RENDER_TOKENS
        + (1 + MAX_ONLY + MAX_OMISSIONS) * sentence
        + MAX_OMISSIONS * names
        for p in prepared
    )
    guess = OUTLET_TOKENS_GUESS * len(prepared)
    step = Step("framing", FRAMING_MAX_TOKENS)
    messages = framing_messages([])
    step.calls.append(
        Call(sizer.tokens(messages) + guess, sizer.largest(messages, Framings, blocks))
    )
    return step


def _contrast(prepared: Sequence[Prepared], sizer: _Sizer) -> Step:
    """One call if any pair of outlets' figures differs. It runs on the articles whose analysis
    succeeded: a subset has no candidate pair the whole set lacks, and each of its candidates
    quotes two sentences of at most this size."""
    found = candidates(list(prepared))
    step = Step("contrast", CONTRAST_MAX_TOKENS, expected=bool(found))
    if found:
        count = sizer.counter.count
        sentence = max(count(m.sentence) for p in prepared for m in mentions(p))
        outlet = max(count(p.article.outlet) for p in prepared)
        block = 3 * sentence + 2 * outlet + RENDER_TOKENS
        expected = sizer.tokens(contrast_messages(found))
        largest = sizer.largest(contrast_messages([]), ContrastReport, MAX_CANDIDATES * block)
        step.calls.append(Call(expected, largest))
    return step


def run_calls(
    prepared: Sequence[Prepared], counter: TokenCounter, info: ModelInfo, budget: int
) -> list[Step]:
    """Every call a run over `prepared` can make, step by step (`budget`: article tokens per
    analyse call): the one walk both the expected figure and the bound are tallied from."""
    sizer = _Sizer(counter)
    line = _longest_sentence(prepared, counter) + RENDER_TOKENS
    synth, fix = _write(prepared, sizer, line)
    framed = [_framing(prepared, sizer, line)] if info.writes_framing else []
    return [_analyse(prepared, sizer, budget), synth, fix, *framed, _contrast(prepared, sizer)]


def _tally(step: Step, sizes: list[int], output_cap: int) -> StepEstimate:
    """A step of one request per prompt size, each answered at the step's cap."""
    return StepEstimate(
        step=step.name,
        calls=len(sizes),
        prompt_tokens=sum(sizes),
        max_completion_tokens=len(sizes) * step.cap,
        largest_prompt=max(sizes, default=0),
        output_cap=output_cap,
    )


def expected_run(steps: Sequence[Step]) -> list[StepEstimate]:
    """The steps the expected run makes, each call answered once at its output cap."""
    return [
        _tally(s, [c.expected for c in s.calls if c.expected is not None], s.cap)
        for s in steps
        if s.expected
    ]


def upper_bound(steps: Sequence[Step], counter: TokenCounter) -> list[StepEstimate]:
    """Every step with every call at its largest and re-asked MAX_REASKS times; each re-ask adds
    the rejected reply (at most the cap, else it was cut, not re-asked) and the error to resend."""
    reask = counter.count(prompts.render("reask", error="")) + REASK_ERROR_TOKENS
    out = []
    for s in steps:
        growth = s.cap + reask + 2 * MESSAGE_TOKENS
        sizes = [c.worst + k * growth for c in s.calls for k in range(1 + MAX_REASKS)]
        out.append(_tally(s, sizes, s.cap if sizes else 0))
    return out


def _window_notes(steps: list[StepEstimate], info: ModelInfo) -> list[str]:
    """A line for each step with a call that would not fit the model's context window (the
    endpoint refuses it, or a local server cuts the prompt). The write and framing prompts are
    sized from a guess per group and per outlet, hence "about"."""
    window = info.context_window
    return [
        f"{s.step}: a prompt of about {s.largest_prompt:,} tokens and its {s.output_cap:,}-token "
        f"reply would not fit the {window:,}-token context window of {info.name}"
        for s in steps
        if not s.fits(window)
    ]


def _cost(info: ModelInfo, steps: list[StepEstimate]) -> float | None:
    return info.cost(
        sum(s.prompt_tokens for s in steps), sum(s.max_completion_tokens for s in steps)
    )


def estimate(
    paths: Sequence[Path], settings: Settings, *, manifest: Path | None = None
) -> Estimate:
    """Expected and upper-bound calls, tokens and cost per step, computed with no model call.

    Inputs over `settings.max_articles` are refused, and articles over
    `settings.max_article_tokens` skipped, exactly as a run does. A warning names each step of
    the expected run whose largest prompt and reply would not fit the context window (the upper
    bound's prompts, each sentence at its longest and re-asked twice, are not held to it: they
    would exceed a small local window for any input).
    """
    info = lookup(settings.model, settings.context_window)
    counter = counter_for(info)
    everything, skipped = prepare(paths, counter, manifest, settings.max_articles)
    prepared, too_long = within_limit(everything, settings.max_article_tokens)
    run = run_calls(prepared, counter, info, analyse_budget(info, counter))
    steps, most = expected_run(run), upper_bound(run, counter)
    return Estimate(
        model=info.name,
        context_window=info.context_window,
        encoding=info.encoding,
        known_model=info.known,
        articles=len(prepared),
        skipped=[*skipped, *too_long],
        warnings=[*encoding_notes(prepared), *_window_notes(steps, info)],
        tokens_before_clean=sum(p.tokens_before for p in prepared),
        tokens_after_clean=sum(p.tokens_after for p in prepared),
        steps=steps,
        bound=most,
        expected_cost_usd=_cost(info, steps),
        max_cost_usd=_cost(info, most),
    )
