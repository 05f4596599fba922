"""Numbers in text, normalised so that "$250 billion", "250 bn" and "$250B" compare equal.

Used to check that every number in the summary and takeaways stands in an article it cites.
"""

from __future__ import annotations

import re

_SCALE = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
}
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:\s*(%|percent|per cent|thousand|million|billion|trillion|mn|bn|tn|[kmbt])\b)?",
    re.I,
)


def numbers(text: str) -> set[float]:
    """Every number in `text` as a float; percentages keep their face value."""
    out: set[float] = set()
    for m in _NUMBER.finditer(text):
        value = float(m.group(1).replace(",", ""))
        unit = (m.group(2) or "").lower()
        out.add(value * _SCALE.get(unit, 1.0))
    return out


def unsupported(claim: str, sources: list[str]) -> list[float]:
    """Numbers in `claim` that none of the source texts contain (ranges count both ends)."""
    have: set[float] = set()
    for text in sources:
        have |= numbers(text)
    return sorted(n for n in numbers(claim) if n not in have)
