"""Key takeaways: the model's points that survive the reader's checks, then the contradictions.

A takeaway cites every outlet of the groups it rests on. One that talks about "the article",
is cut off, repeats a summary sentence or an earlier takeaway, rests on no offered group or
only on a writer's opinion, or states a number its outlets do not, is dropped (its reason goes
to the run record). Where outlets disagree on a figure, that disagreement is a takeaway in
code-composed words.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..checks import prose
from ..schemas.briefing import BriefContradiction
from ..schemas.replies import TakeawayDraft
from .synthesis import Slot, by_outlet, fallback, prompt_labels

TAKEAWAY_CHARS = 240
MAX_TAKEAWAYS = 5
MIN_TAKEAWAYS = 3  # fewer are topped up from the spare groups' own sentences


class Point(BaseModel):
    text: str
    labels: list[str]  # article labels it cites
    evidence: dict[str, str] = Field(default_factory=dict)  # label -> the sentence it rests on


def _groups(draft: TakeawayDraft, offered: dict[str, Slot]) -> list[Slot]:
    """The offered slots a draft rests on; none when none of them is reported as fact."""
    slots = [offered[g.strip().upper()] for g in draft.groups if g.strip().upper() in offered]
    return slots if any(g.group.reportable for g in slots) else []


def _labels(slots: list[Slot]) -> list[str]:
    return sorted({label for g in slots for label in g.labels}, key=lambda x: int(x[1:] or 0))


def _why(text: str, labels: list[str], earlier: list[str], texts: dict[str, str]) -> str:
    if not labels:
        return "it rests on no reported fact"
    cited = [texts[x] for x in labels if x in texts]
    return (
        prose.meta(text)
        or prose.names_label(text, prompt_labels(texts))
        or prose.cut(text, TAKEAWAY_CHARS)
        or prose.first_person(text)
        or prose.near_duplicate(text, earlier)
        or prose.unsupported_numbers(text, cited)
        or prose.ungrounded(text, cited)
    )


def takeaways(
    drafts: list[TakeawayDraft],
    *,
    offered: list[Slot],
    spare: list[Slot],
    summary: list[str],
    contradictions: list[tuple[BriefContradiction, list[str]]],
    texts: dict[str, str],
) -> tuple[list[Point], list[str]]:
    """The ranked takeaways and, for the run record, why each dropped draft was dropped.

    The model's points that pass come first, then each contradiction; while there are fewer
    than MIN_TAKEAWAYS, the `spare` groups (reported, but not in the summary) add their own
    best sentence, verbatim. `contradictions` pairs each confirmed contradiction with the
    labels of its sides."""
    by_id = {g.id: g for g in offered}
    out: list[Point] = []
    dropped: list[str] = []
    for d in drafts:
        text, slots = d.text.strip(), _groups(d, by_id)
        labels = _labels(slots)
        if why := _why(text, labels, [*summary, *(p.text for p in out)], texts):
            dropped.append(f"takeaway '{text[:60]}' dropped: {why}")
            continue
        evidence = by_outlet([g.group for g in slots], [m for g in slots for m in g.shown])
        out.append(Point(text=text, labels=labels, evidence=evidence))
    for c, labels in contradictions:
        sides = {label: s.quote for label, s in zip(labels, c.sides, strict=True)}
        out.append(
            Point(text=f"Outlets differ on {c.topic}: {c.note}", labels=labels, evidence=sides)
        )
    for g in spare:
        if len(out) >= MIN_TAKEAWAYS:
            break
        if g.group.reportable and (text := fallback(g.shown, [*summary, *(p.text for p in out)])):
            own = [m for m in g.shown if m.sentence == text]
            out.append(Point(text=text, labels=g.labels, evidence=by_outlet([g.group], own)))
    return out[:MAX_TAKEAWAYS], dropped
