"""What code knows exactly about how each outlet told the story, from the fact groups.

What an outlet puts first is its headline and lead sentence; what only it reports are the
groups it alone is in; what it leaves out are the groups most other outlets report and it lacks
(no sentence of its article matches them: computed, never written by the model).
"""

from __future__ import annotations

from pydantic import BaseModel

from ..checks import prose
from ..schemas.briefing import CoverageRow
from ..text.clip import clip
from .align import FactGroup
from .synthesis import by_outlet, evidence

MAX_ONLY = 2
MAX_OMISSIONS = 3
MAX_COVERAGE = 10  # rows of the coverage grid
COVERAGE_WORDS = 25  # a grid row names its fact; each outlet's whole sentence is a click away


class Profile(BaseModel):
    """One outlet's computed coverage, the facts its framing line is written from."""

    label: str
    outlet: str
    title: str
    lead: str
    only_here: list[str]
    omissions: list[str]
    opinion_piece: bool


def fact_text(g: FactGroup, written: dict[str, str], label: str | None = None) -> str:
    """A group's fact in words: its summary sentence, else its best sentence, clipped."""
    if g.id in written:
        return written[g.id]
    members = [m for m in evidence(g) if label is None or m.label == label]
    return clip(members[0].sentence, 30) if members else ""


def only_here(label: str, groups: list[FactGroup], written: dict[str, str]) -> list[str]:
    """What this outlet alone reports, in the order it reports it."""
    mine = sorted(
        (g for g in groups if g.labels == [label] and not any(m.lead for m in g.members)),
        key=lambda g: g.top,
    )
    texts = [clip(fact_text(g, written, label), 30) for g in mine]
    return [t for t in texts if t and not _aside(t)][:MAX_ONLY]


def _aside(text: str) -> str:
    """Why a sentence says nothing on its own as a fact ('' when it does)."""
    return (
        prose.meta(text)
        or prose.dangling(text)
        or prose.first_person(text)
        or ("it is a question" if "?" in text else "")
    )


def omissions(
    label: str, groups: list[FactGroup], names: dict[str, str], written: dict[str, str]
) -> list[str]:
    """Facts reported by at least two outlets and by most of the others, that this one lacks."""
    others = len(names) - 1
    out: list[str] = []
    for g in groups:
        if label in g.labels or label in g.echoes or not g.reportable:
            continue
        if len(g.labels) >= 2 and len(g.labels) > others / 2:
            who = ", ".join(names[x] for x in g.labels)
            out.append(f"{clip(fact_text(g, written), 30)} (reported by {who})")
        if len(out) >= MAX_OMISSIONS:
            break
    return out


def profiles(
    leads: dict[str, str],
    titles: dict[str, str],
    names: dict[str, str],
    opinion: dict[str, bool],
    groups: list[FactGroup],
    written: dict[str, str],
) -> list[Profile]:
    """Every outlet's profile, in label order; `written` maps group ids to summary sentences."""
    return [
        Profile(
            label=label,
            outlet=names[label],
            title=titles[label],
            lead=leads[label],
            only_here=only_here(label, groups, written),
            omissions=omissions(label, groups, names, written),
            opinion_piece=opinion[label],
        )
        for label in names
    ]


def coverage(
    groups: list[FactGroup], written: dict[str, str], ids: dict[str, str]
) -> list[CoverageRow]:
    """The coverage grid: the reported facts in the summary or told by two outlets or more, most
    widely reported first, each with every outlet's own sentence of it (by article id)."""
    shown = [g for g in groups if g.reportable and (g.id in written or len(g.labels) >= 2)][
        :MAX_COVERAGE
    ]
    return [
        CoverageRow(
            fact=clip(fact_text(g, written), COVERAGE_WORDS),
            reported={ids[x]: s for x, s in by_outlet([g]).items()},
            echoed=[ids[x] for x in g.echoes],
        )
        for g in shown
    ]
