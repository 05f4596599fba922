"""The writer's own voice: first-person and reader-address markers outside quotations.

Whether a piece is opinion is the one judgement small models get most wrong (the seeds' long
first-person blog came back as "analysis"). These markers are checkable evidence, shown
verbatim, that back or correct the model's genre.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

# Speech in quotation marks is someone else's voice, not the writer's.
# A quotation an excerpt cuts before its closing mark runs to the end of its line.
_QUOTED = re.compile(r"[“\"][^”\"\n]{0,400}(?:[”\"]|$)", re.M)
_MARKER = re.compile(
    r"\b(?:in my (?:view|opinion)|i (?:think|believe|suspect|guess)|make no mistake|"
    r"picture this|imagine|let['’]s|i['’](?:ve|m|d)|i|my|me)\b",
    re.I,
)
# Markers per 1000 words above which the writer's own voice runs through the piece, and the
# fewest markers that can show it (a 90-word excerpt ending inside a quotation is not a column).
FIRST_PERSON_DENSITY = 4.0
FIRST_PERSON_MIN = 4


class Voice(BaseModel):
    """How much the writer speaks in their own voice."""

    markers: int
    per_1000_words: float
    first_person: bool
    examples: list[str]  # verbatim snippets, for the reader to check


def unquoted(text: str) -> str:
    """`text` with what is inside quotation marks blanked out: the writer's own words."""
    return _QUOTED.sub(" ", text)


def voice(text: str) -> Voice:
    """Count first-person and reader-address markers outside quotations."""
    unquoted = _QUOTED.sub(" ", text)
    found = [m for m in _MARKER.finditer(unquoted) if m.group(0) != "I" or _is_pronoun(m)]
    words = max(1, len(text.split()))
    density = round(1000 * len(found) / words, 1)
    examples: list[str] = []
    for m in found:
        snippet = " ".join(unquoted[m.start() :].split()[:6])
        if snippet not in examples:
            examples.append(snippet)
    return Voice(
        markers=len(found),
        per_1000_words=density,
        first_person=density >= FIRST_PERSON_DENSITY and len(found) >= FIRST_PERSON_MIN,
        examples=examples[:4],
    )


def _is_pronoun(m: re.Match[str]) -> bool:
    """A capital "I" that is not a roman numeral or a list label ("World War I", "I.")."""
    after = m.string[m.end() : m.end() + 2]
    before = m.string[max(0, m.start() - 8) : m.start()]
    return not after.startswith((".", ")")) and not before.rstrip().endswith(("War", "Phase"))


_ATTRIBUTION = re.compile(
    r"[“”\"«»]|\b(?:said|says|say|told|tells|according to|stated|added|noted|wrote|called|"
    r"calling|described|describing|announced|declared|insisted|warned)\b",
    re.I,
)


def attributes(text: str) -> bool:
    """True when `text` puts words in someone's mouth: a quotation mark or a speech verb. In
    an opinion piece, a claim a model tags as someone's statement without either is the
    writer speaking."""
    return bool(_ATTRIBUTION.search(text))
