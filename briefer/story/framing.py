"""Framing lines: how each outlet told the story, written by the model from computed facts.

The model sees, per outlet, its headline, lead, what only it reports and what it leaves out
(briefer/story/outlets.py), and writes one line. A line that says nothing ("neutral",
"without any bias", "presents a summary"), is cut off or names another outlet's label is
replaced by a line composed in code from the same facts. An outlet's label in a line ("A1
focuses on ...") is replaced by the outlet's name first. A model too small to write these
lines (`ModelInfo.writes_framing`) is not asked: every line is composed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..checks import prose
from ..errors import RecoverableModelError
from ..model import prompts
from ..model.llm import LLM
from ..schemas.replies import Framings
from ..text.clip import clip
from .outlets import Profile

FRAMING_MAX_TOKENS = 900
FRAMING_CHARS = 240
_LABEL = re.compile(r"\b[AG]\d{1,3}\b")


class Framing(NamedTuple):
    """An outlet's framing line, and whether the model wrote it (else code composed it)."""

    text: str
    by_model: bool


def render_profiles(profiles: list[Profile]) -> str:
    blocks = []
    for p in profiles:
        kind = "opinion piece (the writer's own voice)" if p.opinion_piece else "reporting"
        lines = [
            f"{p.label}: {p.outlet} ({kind})",
            f"- headline: {p.title}",
            f"- leads with: {clip(p.lead, 40) or 'unknown'}",
            *(f"- only this outlet reports: {x}" for x in p.only_here),
            *(f"- leaves out: {x}" for x in p.omissions),
        ]
        blocks.append("\n".join(prompts.data(x, one_line=True) for x in lines))
    return "\n\n".join(blocks)


def framing_messages(profiles: list[Profile]) -> tuple[str, str]:
    user = prompts.render(
        "framing.user",
        outlets=render_profiles(profiles),
        labels=", ".join(p.label for p in profiles),
    )
    return prompts.render("framing.system"), user


def composed(p: Profile) -> str:
    """A framing line from the computed facts alone: the lead, and how much the outlet adds
    or leaves out (the items themselves are listed under it)."""
    line = f"Leads with “{clip(p.lead, 25)}”" if p.lead else f"Headlined “{p.title}”"
    if p.only_here:
        line += f"; reports {_facts(len(p.only_here))} no other outlet does"
    if p.omissions:
        line += f"; leaves out {_facts(len(p.omissions))} most others report"
    return line + "."


def _facts(n: int) -> str:
    return "one fact" if n == 1 else f"{n} facts"


def _named(text: str, names: dict[str, str]) -> str:
    """`text` with each outlet label ("A1 focuses on ...", as small models write) replaced by
    the outlet's name; any other label is left, to be caught."""
    return _LABEL.sub(lambda m: names.get(m.group(0), m.group(0)), text)


def _why(text: str, p: Profile, leads: list[str]) -> str:
    if m := _LABEL.search(text):
        return f"it names the label {m.group(0)}"
    if prose.near_duplicate(text, [p.lead, f"{p.outlet} {p.title} reporting opinion piece"]):
        return "it copies the outlet's name, headline or lead instead of saying how it told it"
    if prose.near_duplicate(text, leads):
        return "it copies another outlet's lead instead of saying how this one told it"
    return (
        prose.boilerplate(text)
        or prose.meta(text)
        or prose.cut(text, FRAMING_CHARS)
        or ("it is empty" if not text.strip() else "")
    )


def framings(llm: LLM, profiles: list[Profile]) -> tuple[dict[str, Framing], list[str]]:
    """Each outlet's framing line by label (with whether the model wrote it), and why any model
    line was replaced."""
    if not llm.info.writes_framing:
        return {p.label: Framing(composed(p), by_model=False) for p in profiles}, []
    lines: dict[str, str] = {}
    notes: list[str] = []
    try:
        system, user = framing_messages(profiles)
        reply = llm.call("framing", system, user, Framings, FRAMING_MAX_TOKENS)
        by_name = {p.outlet.casefold(): p.label for p in profiles}
        for f in reply.framings:
            source = f.source.strip().strip("[]")
            # Small models name the outlet rather than its label: either points to it.
            label = by_name.get(source.casefold(), source.upper())
            if label not in lines:
                lines[label] = f.text.strip()
    except RecoverableModelError as exc:
        notes.append(f"framing lines composed in code: the model's reply failed ({exc})")
    out: dict[str, Framing] = {}
    leads = [p.lead for p in profiles if p.lead]
    names = {p.label: p.outlet for p in profiles}
    for p in profiles:
        text = _named(lines.get(p.label, ""), names)
        if why := _why(text, p, leads):
            if text:
                notes.append(f"{p.outlet}: framing '{text[:60]}' replaced: {why}")
            out[p.label] = Framing(composed(p), by_model=False)
        else:
            out[p.label] = Framing(text, by_model=True)
    return out, notes
