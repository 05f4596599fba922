"""Write the story from its fact groups: the summary's sentences, a headline, takeaways.

Code decides what the summary says and whom each sentence cites. It picks the outlets'
sentences the other outlets report too (briefer/story/align.py groups them; a fact many
outlets tell in detail may take two sentences), and each cites every outlet of its
group. The model gets one small, well-posed task: restate each picked sentence neutrally, with
what the other outlets add. Code then
rejects what a reader would throw back (talk about "the article", a repeat, a sentence cut at
its bound, a number the group's outlets do not state), re-asks once with the reasons, and falls
back to the group's own best sentence, verbatim, or drops the fact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from pydantic import BaseModel

from ..checks import prose
from ..model import prompts
from ..model.llm import LLM
from ..schemas.replies import SENTENCE_CHARS, GroupSentence, Synthesis
from ..text.clip import clip
from .align import FactGroup, Member, cosine

SYNTH_MAX_TOKENS = 1200
MAX_SUMMARY = 6  # summary sentences at most
MAX_EXTRA = 2  # further groups offered for takeaways only
EVIDENCE_PER_GROUP = 4  # outlet sentences shown per group
CLIP_WORDS = 70  # an outlet sentence shown whole up to this (a clipped one was copied, "…" and all)
FALLBACK_WORDS = 60  # an outlet's own sentence stands in for a rejected one up to this length
# How a sentence earns its place in the summary (as the consensus extractive baseline,
# bench/baselines.py, scores sentences): how closely the other outlets report it
# (Member.agreement), a bonus for being its article's lead that halves with each sentence
# after, a bonus per further outlet reporting its fact, less its closeness (TF-IDF cosine) to
# the sentences of its fact already chosen ...
LEAD_BONUS = 0.2
COVERAGE_BONUS = 0.05
REDUNDANCY = 1.0
# ... and half that against a sentence of another fact: the aligner has already found the two
# to say different things, though they share the story's words.
CROSS = 0.5
PER_FACT = 2  # summary sentences one fact takes at most (more would retell it)


def summary_size(articles: int) -> int:
    """Sentences the summary aims at: one per outlet, 3 to MAX_SUMMARY."""
    return max(3, min(MAX_SUMMARY, articles))


class Slot(BaseModel):
    """One sentence to write: a fact of an aligned group, told from some of its sentences.

    A fact many outlets report in detail may take PER_FACT slots, each restating another
    outlet's sentence of it; every slot cites all the outlets of its group."""

    id: str  # the write prompt's id for it (G1, G2, ...)
    group: FactGroup
    shown: list[Member]  # what the model writes from, the sentence it restates first

    @property
    def labels(self) -> list[str]:
        return self.group.labels


def _eligible(m: Member) -> bool:
    """A sentence the summary can restate: reporting, read on its own, not about the text."""
    return m.kind != "opinion" and not prose.dangling(m.sentence) and not prose.meta(m.sentence)


def _value(g: FactGroup, m: Member, chosen: list[Member], leads: dict[str, int]) -> float:
    after_lead = max(0, m.position - leads.get(m.label, 0))  # headlines and bylines come first
    reach = len({*g.labels, *g.echoes}) - 1  # the outlets that report it, whoever it cites
    score = m.agreement + LEAD_BONUS * 0.5**after_lead + COVERAGE_BONUS * reach
    mine = {(x.label, x.position) for x in g.members}
    overlap = max(
        (
            cosine(m.terms, c.terms) * (1.0 if (c.label, c.position) in mine else CROSS)
            for c in chosen
        ),
        default=0.0,
    )
    return score - REDUNDANCY * overlap


def _choose(groups: list[FactGroup], want: int) -> list[tuple[FactGroup, Member]]:
    """The sentences worth stating, best first: what the other outlets report too, what
    articles put first, what no chosen sentence already says; PER_FACT at most of one group."""
    pool = [(g, m) for g in groups if g.reportable for m in g.members if _eligible(m)]
    leads = {m.label: m.position for g in groups for m in g.members if m.lead}
    chosen: list[tuple[FactGroup, Member]] = []
    while pool and len(chosen) < want:
        picked = [m for _, m in chosen]
        best = max(pool, key=lambda c: _value(c[0], c[1], picked, leads))
        pool.remove(best)
        if sum(g is best[0] for g, _ in chosen) >= PER_FACT:
            continue
        if not prose.near_duplicate(best[1].sentence, [m.sentence for m in picked]):
            chosen.append(best)
    return chosen


def pick(groups: list[FactGroup], articles: int) -> tuple[list[Slot], list[Slot]]:
    """The summary's slots, in the aligner's order of their groups (most outlets first), and
    the next MAX_EXTRA best sentences, offered for takeaways only."""
    want = summary_size(articles)
    ranked = _choose(groups, want + MAX_EXTRA)
    chosen, spare = ranked[:want], ranked[want:]
    chosen.sort(key=lambda c: (groups.index(c[0]), c[1].relative))
    ordered = [*chosen, *spare]
    helpers = _helpers(ordered)
    slots = [
        Slot(id=f"G{i}", group=g, shown=[m, *helpers[i - 1]][:EVIDENCE_PER_GROUP])
        for i, (g, m) in enumerate(ordered, start=1)
    ]
    return slots[:want], slots[want:]


def _helpers(ordered: list[tuple[FactGroup, Member]]) -> list[list[Member]]:
    """For each chosen sentence, its group's sentences no slot restates that are closest to it
    (each goes to one slot only, so two slots of one fact are not written from the same). A
    writer's opinion helps none: the 1.5B model copied the blog's "Mishustin's arrival ...
    wasn't a casual drop-in" over the report of the agreements signed."""
    restated = {(m.label, m.position) for _, m in ordered}
    out: list[list[Member]] = [[] for _ in ordered]
    for g in {id(g): g for g, _ in ordered}.values():
        mine = [i for i, (h, _) in enumerate(ordered) if h is g]
        for x in evidence(g):
            if (x.label, x.position) not in restated and x.kind != "opinion":
                best = max(mine, key=lambda i: cosine(ordered[i][1].terms, x.terms))
                out[best].append(x)
    return out


def _rank(members: list[Member]) -> list[Member]:
    """Reporting before opinion, located facts before matched sentences, higher up first."""
    return sorted(members, key=lambda m: (m.kind == "opinion", not m.seeded, m.relative))


def evidence(g: FactGroup) -> list[Member]:
    """The sentences a group's text is written from: at most EVIDENCE_PER_GROUP, best first."""
    return _rank(g.members)[:EVIDENCE_PER_GROUP]


def by_outlet(groups: Sequence[FactGroup], first: Sequence[Member] = ()) -> dict[str, str]:
    """Each outlet's sentence of these groups (label -> sentence): a sentence in `first` (what
    the text was written from) before the groups' best, the first group before the next."""
    out: dict[str, str] = {}
    for m in [*first, *(m for g in groups for m in _rank(g.members))]:
        out.setdefault(m.label, m.sentence)
    return out


def render_groups(slots: list[Slot]) -> str:
    """The slots as prompt data: each outlet sentence one line, so none can forge a block."""
    blocks = []
    for g in slots:
        lines = [f"{g.id} (reported by {len(g.labels)}: {', '.join(g.labels)})"]
        for m in g.shown:
            who = f" [opinion of {m.label}]" if m.kind == "opinion" else ""
            lines.append(f"- {m.label}{who}: {clip(m.sentence, CLIP_WORDS)}")
        blocks.append("\n".join(prompts.data(x, one_line=True) for x in lines))
    return "\n\n".join(blocks)


def synth_messages(summary: list[Slot], extra: list[Slot]) -> tuple[str, str]:
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


def write(llm: LLM, summary: list[Slot], extra: list[Slot]) -> Synthesis:
    system, user = synth_messages(summary, extra)
    return llm.call("synthesise", system, user, Synthesis, SYNTH_MAX_TOKENS)


class Problem(NamedTuple):
    """A summary sentence code rejects, as the re-ask names it."""

    group: str  # the slot's id (G1, G2, ...)
    text: str  # the rejected sentence
    reason: str  # why it was rejected


def fix_messages(groups: list[Slot], problems: list[Problem], headline: str) -> tuple[str, str]:
    user = prompts.render(
        "synthesise.fix",
        groups=render_groups(groups),
        problems="\n".join(
            prompts.data(f"- {p.group}: '{p.text}': {p.reason}", one_line=True) for p in problems
        ),
        headline=prompts.data(headline, one_line=True).replace("'", "’"),
    )
    return prompts.render("synthesise.system"), user


class Written(BaseModel):
    """One accepted summary sentence and the slot it fills."""

    slot: Slot
    text: str
    verbatim: bool = False  # the group's own sentence stood in for the model's


Texts = dict[str, str]  # article label -> normalized text


def prompt_labels(texts: Texts) -> list[str]:
    """The labels a write prompt shows (articles and groups): never meant for the reader."""
    return [*texts, *(f"G{i}" for i in range(1, MAX_SUMMARY + MAX_EXTRA + 1))]


def rejection(text: str, slot: Slot, earlier: list[str], texts: Texts) -> str:
    """Why a sentence written for `slot` cannot stand ('' when it can)."""
    if not text.strip():
        return "it is empty"
    labels = prompt_labels(texts)
    cited = [texts[x] for x in slot.labels if x in texts]
    return (
        prose.meta(text)
        or prose.names_label(text, labels)
        or prose.cut(text, SENTENCE_CHARS)
        or prose.first_person(text)
        or prose.near_duplicate(text, earlier)
        or prose.strays(text, [m.sentence for m in slot.shown])
        or prose.unsupported_numbers(text, cited)
        or prose.ungrounded(text, cited)
    )


def fallback(members: list[Member], earlier: list[str]) -> str:
    """The first of these sentences that reads as a plain statement of fact, verbatim."""
    for m in members:
        if _eligible(m) and not (
            len(m.sentence.split()) > FALLBACK_WORDS
            or prose.cut(m.sentence, 10_000)
            or prose.first_person(m.sentence)
            or prose.near_duplicate(m.sentence, earlier)
        ):
            return m.sentence
    return ""


Refix = Callable[[list[Problem]], list[GroupSentence]]


def accept(
    groups: list[Slot], drafts: list[GroupSentence], texts: Texts, refix: Refix
) -> tuple[list[Written], int]:
    """The summary: each slot's sentence if it passes, else its re-asked one, else its own
    best sentence; a group with none of these is dropped. Returns the sentences and how many
    groups were dropped."""
    by_id = {d.group.strip().upper(): d.text.strip() for d in reversed(drafts)}
    first: dict[str, str] = {}
    problems: list[Problem] = []
    earlier: list[str] = []
    for g in groups:
        text = by_id.get(g.id, "")
        if why := rejection(text, g, earlier, texts):
            problems.append(Problem(g.id, text, why))
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
            text = fallback(g.shown, others)
            if text:
                out.append(Written(slot=g, text=text, verbatim=True))
                accepted.append(text)
            continue
        out.append(Written(slot=g, text=text))
        accepted.append(text)
    return out, len(groups) - len(out)
