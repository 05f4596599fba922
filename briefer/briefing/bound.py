"""The most model calls and tokens a briefing run can make, worked out locally before it runs.

`pipeline.estimate` gives the expected run: one reply per call. A real run can make more:

- every structured call may be re-asked MAX_REASKS times, each re-ask resending the whole
  conversation plus the rejected reply (at most the call's output cap) and the error list;
- a chunk whose reply is cut at the output cap is split and retried, MAX_SPLITS levels deep
  (the same `split_for_retry` the run uses, on the same text, so the split tree is exact);
- the write step may be re-asked once for the sentences code rejected (`synthesise-fix`);
- the write and framing prompts carry at most MAX_SUMMARY + MAX_EXTRA groups of
  EVIDENCE_PER_GROUP sentences each, and one block per outlet, each sentence clipped.

The bound assumes every one of these happens, and takes the largest prompt each call can carry:
each reply at its output cap, the JSON-in-prompt instructions of the fallback modes included.
Tokens are counted with the model table's tokenizer (exact for OpenAI models, an approximation
for local ones), plus an allowance for chat formatting per message. Not counted: transport
retries of requests that failed (a 5xx, a refused connection) and requests an endpoint rejects
for their response format: those return an error, not a reply, and are not billed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from ..checks.sentences import split_sentences
from ..clip import clip
from ..model import prompts
from ..model.llm import MAX_REASKS
from ..model.modeltable import ModelInfo
from ..model.tokens import TokenCounter
from ..schemas import SENTENCE_CHARS, ArticleAnalysis, ContrastReport, Framings, Synthesis
from .analysis import (
    ANALYSE_MAX_TOKENS,
    Prepared,
    analyse_chunks,
    analyse_messages,
    split_for_retry,
)
from .chunking import Chunk
from .contrast import CONTRAST_MAX_TOKENS, MAX_CANDIDATES, candidates, contrast_messages, mentions
from .framing import FRAMING_MAX_TOKENS, framing_messages
from .outlets import MAX_OMISSIONS, MAX_ONLY
from .synthesis import (
    CLIP_WORDS,
    EVIDENCE_PER_GROUP,
    MAX_EXTRA,
    MAX_SUMMARY,
    SYNTH_MAX_TOKENS,
    fix_messages,
    synth_messages,
)

MESSAGE_TOKENS = 8  # chat formatting around each message (OpenAI adds 3 or 4; templates more)
REASK_ERROR_TOKENS = 512  # the validation errors fed back: at most 8 short lines
RENDER_TOKENS = 64  # the fixed text around one sentence or block in a write prompt


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


@functools.cache
def _schema_prompt(schema: type[BaseModel]) -> str:
    """What the json_object and text modes add to the system prompt (see llm.LLM._send)."""
    text = json.dumps(schema.model_json_schema(), separators=(",", ":"))
    return "\n\n" + prompts.render("json_instructions", schema=text)


@dataclass
class _Tally:
    """Calls and tokens of one step, each call taken with all its re-asks."""

    counter: TokenCounter
    calls: int = 0
    prompt: int = 0
    completion: int = 0
    largest: int = 0
    cap: int = 0

    def size(self, system: str, user: str, schema: type[BaseModel]) -> int:
        """A call's first prompt, with the schema text the fallback modes add."""
        texts = (system, user, _schema_prompt(schema))
        return sum(self.counter.count(t) for t in texts) + 2 * MESSAGE_TOKENS

    def call(self, system: str, user: str, schema: type[BaseModel], max_tokens: int) -> None:
        self.add(self.size(system, user, schema), max_tokens)

    def add(self, first: int, max_tokens: int) -> None:
        """One call of prompt `first`, re-asked MAX_REASKS times; each re-ask adds the rejected
        reply (at most `max_tokens`, else it was cut, not re-asked) and the error to resend."""
        reask = self.counter.count(prompts.render("reask", error="")) + REASK_ERROR_TOKENS
        for k in range(1 + MAX_REASKS):
            size = first + k * (max_tokens + reask + 2 * MESSAGE_TOKENS)
            self.calls += 1
            self.prompt += size
            self.completion += max_tokens
            self.largest, self.cap = max(self.largest, size), max(self.cap, max_tokens)

    def step(self, name: str) -> StepEstimate:
        return StepEstimate(
            step=name,
            calls=self.calls,
            prompt_tokens=self.prompt,
            max_completion_tokens=self.completion,
            largest_prompt=self.largest,
            output_cap=self.cap,
        )


def _split_tree(
    counter: TokenCounter, chunk: Chunk, depth: int = 0
) -> Iterator[tuple[Chunk, bool]]:
    """Every piece a chunk can be sent as when each reply is cut, and whether it is a leaf."""
    pieces = split_for_retry(counter, chunk, depth)
    yield chunk, not pieces
    for piece in pieces:
        yield from _split_tree(counter, piece, depth + 1)


def _analyse(
    prepared: Sequence[Prepared], counter: TokenCounter, budget: int
) -> tuple[StepEstimate, list[int]]:
    """The map step's bound, and each article's most analysis parts (leaves of its splits)."""
    tally = _Tally(counter)
    parts: list[int] = []
    for p in prepared:
        leaves = 0
        for chunk in analyse_chunks(p, counter, budget):
            for piece, leaf in _split_tree(counter, chunk):
                tally.call(*analyse_messages(p, piece), ArticleAnalysis, ANALYSE_MAX_TOKENS)
                leaves += leaf
        parts.append(leaves)
    return tally.step("analyse"), parts


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


def _synthesise(
    prepared: Sequence[Prepared], counter: TokenCounter
) -> tuple[StepEstimate, StepEstimate, StepEstimate]:
    """Bounds of the write call, its one re-ask for rejected sentences, and the framing call."""
    line = _longest_sentence(prepared, counter) + RENDER_TOKENS
    groups = (MAX_SUMMARY + MAX_EXTRA) * (EVIDENCE_PER_GROUP * line + RENDER_TOKENS)
    synth = _Tally(counter)
    synth.add(synth.size(*synth_messages([], []), Synthesis) + groups, SYNTH_MAX_TOKENS)
    fix = _Tally(counter)
    first = fix.size(*fix_messages([], [], ""), Synthesis)
    fix.add(first + groups + SYNTH_MAX_TOKENS + 120, SYNTH_MAX_TOKENS)
    framing = _Tally(counter)
    sentence = max(line, SENTENCE_CHARS + RENDER_TOKENS)
    names = sum(counter.count(p.article.outlet) for p in prepared)
    blocks = sum(
        counter.count(p.article.outlet)
        + counter.count(p.article.title)
        + RENDER_TOKENS
        + (1 + MAX_ONLY + MAX_OMISSIONS) * sentence
        + MAX_OMISSIONS * names
        for p in prepared
    )
    framing.add(framing.size(*framing_messages([]), Framings) + blocks, FRAMING_MAX_TOKENS)
    return synth.step("synthesise"), fix.step("synthesise-fix"), framing.step("framing")


def _contrast(prepared: Sequence[Prepared], counter: TokenCounter) -> StepEstimate:
    """Contrast runs on the articles whose analysis succeeded: a subset has no candidate pair the
    whole set lacks, and each of its candidates quotes two sentences of at most this size."""
    tally = _Tally(counter)
    if candidates(list(prepared)):
        sentence = max(counter.count(m.sentence) for p in prepared for m in mentions(p))
        outlet = max(counter.count(p.article.outlet) for p in prepared)
        block = 3 * sentence + 2 * outlet + RENDER_TOKENS
        first = tally.size(*contrast_messages([]), ContrastReport)
        tally.add(first + MAX_CANDIDATES * block, CONTRAST_MAX_TOKENS)
    return tally.step("contrast")


def upper_bound(
    prepared: Sequence[Prepared], counter: TokenCounter, info: ModelInfo, budget: int
) -> list[StepEstimate]:
    """Per step, the most calls, prompt tokens and completion tokens a run over `prepared`
    can make (`budget`: article tokens per analyse call)."""
    analyse, parts = _analyse(prepared, counter, budget)
    del parts  # the write steps carry sentences, not analyses: no reduce levels
    synth, fix, framing = _synthesise(prepared, counter)
    framed = [framing] if info.writes_framing else []
    return [analyse, synth, fix, *framed, _contrast(prepared, counter)]
