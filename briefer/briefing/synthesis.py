"""Write the story from its fact groups: one neutral sentence per group, a headline, takeaways.

Code has already decided what the summary says (briefer/briefing/align.py: the facts most
outlets report lead) and whom each sentence cites (every outlet of its group). The model gets
one small, well-posed task: turn each group's sentences into one neutral sentence. Code then
rejects what a reader would throw back (talk about "the article", a repeat, a sentence cut at
its bound, a number the group's outlets do not state), re-asks once with the reasons, and falls
back to the group's own best sentence, verbatim, or drops the fact.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from ..checks import prose
from ..checks.sentences import clip
from ..model import prompts
from ..model.llm import LLM
from ..schemas import SENTENCE_CHARS, GroupSentence, Synthesis
from .align import FactGroup, Member

SYNTH_MAX_TOKENS = 1200
MAX_SUMMARY = 6  # summary sentences at most
MIN_SUMMARY = 3  # facts of one outlet only enter the summary only to reach this many
MAX_EXTRA = 2  # further groups offered for takeaways only
EVIDENCE_PER_GROUP = 4  # outlet sentences shown per group
CLIP_WORDS = 50
FALLBACK_WORDS = 45  # a group's own sentence stands in for a rejected one up to this length


def summary_size(articles: int) -> int:
    """Sentences the summary aims at: about one more than the outlets, 3 to MAX_SUMMARY."""
    return max(3, min(MAX_SUMMARY, articles + 1))


def _overlaps(g: FactGroup, chosen: list[FactGroup]) -> bool:
    mine = {(m.label, m.position) for m in g.members}
    texts = [m.sentence for c in chosen for m in c.members]
    return any((m.label, m.position) in mine for c in chosen for m in c.members) or any(
        prose.near_duplicate(m.sentence, texts) for m in g.members
    )


def _stands(g: FactGroup) -> bool:
    """Some member reads on its own: a reader of the summary has not seen its article."""
    return any(not prose.dangling(m.sentence) for m in g.members)


def pick_groups(groups: list[FactGroup], articles: int) -> tuple[list[FactGroup], list[FactGroup]]:
    """The summary's groups and up to MAX_EXTRA more for takeaways, both in the aligner's
    order (most outlets first). The summary states what several outlets report; a fact of one
    outlet only enters it to reach MIN_SUMMARY sentences (the comparison shows the others as
    what that outlet alone reports). None is opinion only, repeats another, or leans on a
    sentence the reader has not seen ("It felt like ...")."""
    chosen: list[FactGroup] = []
    want = summary_size(articles)
    for g in groups:
        if len(chosen) >= want + MAX_EXTRA:
            break
        if g.reportable and _stands(g) and not _overlaps(g, chosen):
            chosen.append(g)
    shared = [g for g in chosen if len(g.labels) > 1][:want]
    single = [g for g in chosen if len(g.labels) == 1]
    summary = shared + single[: max(0, MIN_SUMMARY - len(shared))]
    summary.sort(key=chosen.index)
    return summary, [g for g in chosen if g not in summary][:MAX_EXTRA]


def evidence(g: FactGroup) -> list[Member]:
    """The sentences a group's text is written from: reporting before opinion, located facts
    before matched sentences, at most EVIDENCE_PER_GROUP."""
    ranked = sorted(g.members, key=lambda m: (m.kind == "opinion", not m.seeded, m.relative))
    return ranked[:EVIDENCE_PER_GROUP]


def render_groups(groups: list[FactGroup]) -> str:
    """The groups as prompt data: each outlet sentence one line, so none can forge a block."""
    blocks = []
    for g in groups:
        lines = [f"{g.id} (reported by {len(g.labels)}: {', '.join(g.labels)})"]
        for m in evidence(g):
            who = f" [opinion of {m.label}]" if m.kind == "opinion" else ""
            lines.append(f"- {m.label}{who}: {clip(m.sentence, CLIP_WORDS)}")
        blocks.append("\n".join(prompts.data(x, one_line=True) for x in lines))
    return "\n\n".join(blocks)


def synth_messages(summary: list[FactGroup], extra: list[FactGroup]) -> tuple[str, str]:
    everything = [*summary, *extra]
    user = prompts.render(
        "synthesise.user",
        groups=render_groups(everything),
        count=len(everything),
        ids=", ".join(g.id for g in everything),
        summary_ids=", ".join(g.id for g in summary),
        summary_count=len(summary),
    )
    return prompts.render("synthesise.system"), user


def write(llm: LLM, summary: list[FactGroup], extra: list[FactGroup]) -> Synthesis:
    system, user = synth_messages(summary, extra)
    return llm.call("synthesise", system, user, Synthesis, SYNTH_MAX_TOKENS)


def fix_messages(
    groups: list[FactGroup], problems: list[tuple[str, str, str]], headline: str
) -> tuple[str, str]:
    """`problems`: (group id, rejected sentence, reason)."""
    user = prompts.render(
        "synthesise.fix",
        groups=render_groups(groups),
        problems="\n".join(
            prompts.data(f"- {gid}: '{text}': {reason}", one_line=True)
            for gid, text, reason in problems
        ),
        headline=prompts.data(headline, one_line=True).replace("'", "’"),
    )
    return prompts.render("synthesise.system"), user


class Written(BaseModel):
    """One accepted summary sentence and the group it states."""

    group: FactGroup
    text: str
    verbatim: bool = False  # the group's own sentence stood in for the model's


Texts = dict[str, str]  # article label -> normalized text


def prompt_labels(texts: Texts) -> list[str]:
    """The labels a write prompt shows (articles and groups): never meant for the reader."""
    return [*texts, *(f"G{i}" for i in range(1, MAX_SUMMARY + MAX_EXTRA + 1))]


def rejection(text: str, group: FactGroup, earlier: list[str], texts: Texts) -> str:
    """Why a sentence written for `group` cannot stand ('' when it can)."""
    if not text.strip():
        return "it is empty"
    labels = prompt_labels(texts)
    cited = [texts[x] for x in group.labels if x in texts]
    return (
        prose.meta(text)
        or prose.names_label(text, labels)
        or prose.cut(text, SENTENCE_CHARS)
        or prose.first_person(text)
        or prose.near_duplicate(text, earlier)
        or prose.unsupported_numbers(text, cited)
        or prose.ungrounded(text, cited)
    )


def fallback(group: FactGroup, earlier: list[str]) -> str:
    """The group's own best sentence, verbatim, when it reads as a plain statement of fact."""
    for m in evidence(group):
        words = len(m.sentence.split())
        if m.kind == "opinion" or words > FALLBACK_WORDS or prose.dangling(m.sentence):
            continue
        if not (prose.meta(m.sentence) or prose.cut(m.sentence, 10_000)) and not (
            prose.near_duplicate(m.sentence, earlier)
        ):
            return m.sentence
    return ""


Refix = Callable[[list[tuple[str, str, str]]], list[GroupSentence]]


def accept(
    groups: list[FactGroup], drafts: list[GroupSentence], texts: Texts, refix: Refix
) -> tuple[list[Written], int]:
    """The summary: each group's sentence if it passes, else its re-asked one, else its own
    best sentence; a group with none of these is dropped. Returns the sentences and how many
    groups were dropped."""
    by_id = {d.group.strip().upper(): d.text.strip() for d in reversed(drafts)}
    first: dict[str, str] = {}
    problems: list[tuple[str, str, str]] = []
    earlier: list[str] = []
    for g in groups:
        text = by_id.get(g.id, "")
        if why := rejection(text, g, earlier, texts):
            problems.append((g.id, text, why))
        else:
            first[g.id] = text
            earlier.append(text)
    second = {d.group.strip().upper(): d.text.strip() for d in refix(problems)} if problems else {}
    out: list[Written] = []
    accepted: list[str] = []
    for g in groups:
        text = first.get(g.id) or second.get(g.id, "")
        others = [*accepted, *(t for gid, t in first.items() if gid != g.id)]
        if g.id not in first and rejection(text, g, others, texts):
            text = fallback(g, others)
            if text:
                out.append(Written(group=g, text=text, verbatim=True))
                accepted.append(text)
            continue
        out.append(Written(group=g, text=text))
        accepted.append(text)
    return out, len(groups) - len(out)
