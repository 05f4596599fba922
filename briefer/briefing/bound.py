"""The most model calls and tokens a briefing run can make, worked out locally before it runs.

`pipeline.estimate` gives the expected run: one reply per call. A real run can make more:

- every structured call may be re-asked MAX_REASKS times, each re-ask resending the whole
  conversation plus the rejected reply (at most the call's output cap) and the error list;
- a chunk whose reply is cut at the output cap is split and retried, MAX_SPLITS levels deep
  (the same `split_for_retry` the run uses, on the same text, so the split tree is exact);
- analyses that do not fit the reduce budget are reduced in groups, and the groups again;
- the synthesis may be re-asked once to fix its numbers (`synthesise-fix`).

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

from ..model import prompts
from ..model.llm import MAX_REASKS
from ..model.modeltable import ModelInfo
from ..model.tokens import TokenCounter
from ..schemas import ArticleAnalysis, ContrastReport, Synthesis
from .analysis import ANALYSE_MAX_TOKENS, Prepared, analyse_messages, split_for_retry
from .chunking import Chunk, chunk_text
from .contrast import CONTRAST_MAX_TOKENS, MAX_CANDIDATES, candidates, contrast_messages, mentions
from .synthesis import SYNTH_MAX_TOKENS, synth_budget, synth_messages

MESSAGE_TOKENS = 8  # chat formatting around each message (OpenAI adds 3 or 4; templates more)
REASK_ERROR_TOKENS = 512  # the validation errors fed back: at most 8 short lines
RENDER_TOKENS = 64  # the fixed text around one analysis or partial briefing in a reduce prompt
# The fix re-ask resends the draft as indented JSON: one newline and indent per line, and a
# Synthesis has at most ~170 lines (8 summary and 7 takeaway sentences, 6 omissions).
INDENT_TOKENS = 256


class StepEstimate(BaseModel):
    step: str
    calls: int
    prompt_tokens: int
    max_completion_tokens: int


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
            self.calls += 1
            self.prompt += first + k * (max_tokens + reask + 2 * MESSAGE_TOKENS)
            self.completion += max_tokens

    def step(self, name: str) -> StepEstimate:
        return StepEstimate(
            step=name,
            calls=self.calls,
            prompt_tokens=self.prompt,
            max_completion_tokens=self.completion,
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
        for chunk in chunk_text(p.text, counter, budget):
            for piece, leaf in _split_tree(counter, chunk):
                tally.call(*analyse_messages(p, piece), ArticleAnalysis, ANALYSE_MAX_TOKENS)
                leaves += leaf
        parts.append(leaves)
    return tally.step("analyse"), parts


def reduce_prompts(sizes: Sequence[int], budget: int, partial: int) -> list[int]:
    """For each reduce call a run can make, the most analysis tokens its prompt carries.

    Mirrors `synthesis.synthesise` on blocks of at most `sizes` tokens: blocks that fit the
    `budget` (or a single block) take one call; else they are packed in order into groups, and
    each group's partial briefing (at most `partial` tokens) is reduced again. In-order packing
    closes a group only when the next block does not fit, so two neighbouring groups always
    exceed the budget: at most 2 * total / budget + 1 groups, and fewer groups than blocks (else
    the run stops with an error). A group holds at most the budget, or one larger block.
    """
    count, total, largest = len(sizes), sum(sizes), max(sizes)
    prompts_: list[int] = []
    while count > 1 and total > budget:
        groups = min(count - 1, 2 * total // budget + 1)
        prompts_ += [min(total, max(budget, largest))] * groups
        count, total, largest = groups, groups * partial, partial
    return [*prompts_, total]


def _synthesise(
    prepared: Sequence[Prepared], counter: TokenCounter, info: ModelInfo, blocks: list[int]
) -> tuple[StepEstimate, StepEstimate]:
    """Bounds of the reduce (all levels) and of the number-fix re-ask."""
    labels = [p.label for p in prepared]
    budget = synth_budget(info, counter, labels)
    partial = SYNTH_MAX_TOKENS + counter.count(", ".join(labels)) + RENDER_TOKENS
    synth = _Tally(counter)
    base = synth.size(*synth_messages([], labels), Synthesis)
    for carried in reduce_prompts(blocks, budget, partial):
        synth.add(base + carried, SYNTH_MAX_TOKENS)
    fix = _Tally(counter)
    user = prompts.render(
        "synthesise.fix",
        briefing="",
        count=len(labels),
        labels=", ".join(labels),
        problems="",
        figures="",
    )
    # The draft (indented), its flagged sentences with their numbers, every article's figures.
    carried = SYNTH_MAX_TOKENS + INDENT_TOKENS + 2 * SYNTH_MAX_TOKENS + sum(blocks)
    first = fix.size(prompts.render("synthesise.system"), user, Synthesis)
    fix.add(first + carried, SYNTH_MAX_TOKENS)
    return synth.step("synthesise"), fix.step("synthesise-fix")


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
    blocks = [
        n * ANALYSE_MAX_TOKENS + counter.count(p.article.outlet) + RENDER_TOKENS + 2
        for p, n in zip(prepared, parts, strict=True)
    ]
    synth, fix = _synthesise(prepared, counter, info, blocks)
    return [analyse, synth, fix, _contrast(prepared, counter)]
