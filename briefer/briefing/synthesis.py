"""Synthesise (the reduce step): one briefing from the compact per-article analyses.

When the analyses do not fit the reduce budget, they are reduced in groups first and the partial
briefings reduced again, so no analysis is ever dropped to make room.
"""

from __future__ import annotations

import json

from ..errors import ConfigError
from ..model import prompts
from ..model.llm import LLM
from ..model.modeltable import ModelInfo
from ..model.tokens import TokenCounter
from ..schemas import Synthesis
from .chunking import input_budget

SYNTH_MAX_TOKENS = 2000


def synth_messages(blocks: list[str], labels: list[str]) -> tuple[str, str]:
    user = prompts.render(
        "synthesise.user",
        analyses="\n\n".join(blocks),  # each block made safe by render_analysis/render_partial
        count=len(labels),
        labels=prompts.data(", ".join(labels), one_line=True),
    )
    return prompts.render("synthesise.system"), user


def synth_budget(info: ModelInfo, counter: TokenCounter, labels: list[str]) -> int:
    system, user = synth_messages([], labels)
    return input_budget(info, counter.count(system) + counter.count(user), SYNTH_MAX_TOKENS)


def render_partial(s: Synthesis, labels: list[str]) -> str:
    """A partial briefing as text, so it can be reduced again like an analysis.

    Its sentences and labels are model text: each is made one line, so it cannot forge a
    block of its own."""

    def item(text: str, sources: list[str]) -> str:
        return prompts.data(f"- {text} ({', '.join(sources)})", one_line=True)

    lines = [prompts.data(f"[partial briefing of {', '.join(labels)}]", one_line=True)]
    lines.append("summary:")
    lines += [item(c.text, c.sources) for c in s.summary]
    lines.append("takeaways:")
    lines += [item(c.text, c.sources) for c in s.takeaways]
    return "\n".join(lines)


def synthesise(
    llm: LLM,
    counter: TokenCounter,
    info: ModelInfo,
    blocks: list[tuple[str, str]],
    labels: list[str] | None = None,
) -> Synthesis:
    """Reduce (labels, rendered analysis) blocks to one Synthesis, hierarchically if needed.

    `labels` are all article labels the final briefing may cite.
    """
    labels = labels or [label for label, _ in blocks]
    budget = synth_budget(info, counter, labels)
    sizes = [counter.count(text) + 2 for _, text in blocks]
    if sum(sizes) <= budget or len(blocks) == 1:
        system, user = synth_messages([t for _, t in blocks], labels)
        return llm.call("synthesise", system, user, Synthesis, SYNTH_MAX_TOKENS)
    groups: list[list[tuple[str, str]]] = [[]]
    used = 0
    for block, size in zip(blocks, sizes, strict=True):
        if groups[-1] and used + size > budget:
            groups.append([])
            used = 0
        groups[-1].append(block)
        used += size
    if len(groups) == len(blocks):
        raise ConfigError(
            f"Each analysis alone fills the {budget}-token reduce budget of {info.name}: "
            "pass a larger --context-window or use a model with a bigger window."
        )
    partials: list[tuple[str, str]] = []
    for group in groups:
        glabels = [g for label, _ in group for g in label.split(",")]
        system, user = synth_messages([t for _, t in group], glabels)
        part = llm.call("synthesise-group", system, user, Synthesis, SYNTH_MAX_TOKENS)
        partials.append((",".join(glabels), render_partial(part, glabels)))
    return synthesise(llm, counter, info, partials, labels)


def fix_numbers(
    llm: LLM,
    s: Synthesis,
    problems: list[tuple[str, list[str]]],
    figures: dict[str, list[str]],
) -> Synthesis:
    """Re-ask the synthesis once to fix sentences whose numbers no cited article states.

    `problems` are (sentence, numbers) pairs; `figures` the verified figures of each article,
    so the model sees the numbers it may use instead of guessing again.
    """
    labels = sorted(figures)
    user = prompts.render(
        "synthesise.fix",
        briefing=json.dumps(s.model_dump(), ensure_ascii=False, indent=1),
        count=len(labels),
        labels=prompts.data(", ".join(labels), one_line=True),
        problems="\n".join(
            prompts.data(f"- '{text}': {', '.join(nums)}", one_line=True) for text, nums in problems
        ),
        figures="\n".join(
            prompts.data(f"- {label}: {'; '.join(figures[label]) or 'none'}", one_line=True)
            for label in labels
        ),
    )
    return llm.call(
        "synthesise-fix", prompts.render("synthesise.system"), user, Synthesis, SYNTH_MAX_TOKENS
    )
