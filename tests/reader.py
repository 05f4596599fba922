"""The tests' own reader of a briefing: what issue 11 says a reader must not be given.

Written apart from briefer.checks.prose (plain word sets, its own word lists), so a bug there
cannot approve its own output: sentences about "the article" instead of the event, two
sentences saying the same, a sentence cut off, someone's words without their quotation marks
("relations between our countries ..."), framing lines that say nothing, hash-like outlet
names.
"""

from __future__ import annotations

import re

from briefer.schemas.briefing import Briefing

META = re.compile(
    r"\b(the|this|each) (article|author|outlet|piece|writer)s?\b|provides? an? (comprehensive )?"
    r"overview|\bpresents? an? (neutral )?summary\b",
    re.I,
)
BOILERPLATE = re.compile(r"\bneutral\b|without (any )?bias|\bunbiased\b|presents? a summary", re.I)
HASH_STEM = re.compile(r"^\d+_[0-9a-f]{8,}$")
# Someone's words given as the briefing's own: first person with the quotation marks dropped.
QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]urs?|us|[Mm]y|[Mm]e)\b|\bI\b")
_SMALL = frozenset(
    """
    a an the of to in on at for by with from and or but is are was were be been has have had
    it its as that this their his her they he she will would
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in _SMALL}


def repeats(a: str, b: str) -> bool:
    """Two sentences that share most of their words say the same thing."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= 0.6 or len(wa & wb) / min(len(wa), len(wb)) >= 0.8


def is_cut(text: str) -> bool:
    t = text.rstrip()
    return t.endswith(("…", "...")) or not t.endswith((".", "!", "?", "'", '"', "”", "’", ")"))


def complaints(b: Briefing) -> list[str]:
    """Everything a reader would throw back, as readable lines (empty when none)."""
    out: list[str] = []
    lines = [s.text for s in b.summary] + [t.text for t in b.takeaways]
    out += [f"meta: {t}" for t in lines if META.search(t)]
    out += [f"cut: {t}" for t in lines if is_cut(t)]
    out += [f"first person: {t}" for t in lines if FIRST_PERSON.search(QUOTED.sub("", t))]
    out += [
        f"repeat: {a} / {c}" for i, a in enumerate(lines) for c in lines[i + 1 :] if repeats(a, c)
    ]
    out += [f"boilerplate framing: {o.framing}" for o in b.outlets if BOILERPLATE.search(o.framing)]
    out += [f"hash-like name: {s.outlet}" for s in b.sources if HASH_STEM.match(s.outlet)]
    return out
