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


def human(n: float) -> str:
    """A normalised number written back the way articles write it: 2.5e11 -> '250 billion'."""
    for word, scale in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if abs(n) >= scale:
            return f"{n / scale:g} {word}"
    return f"{n:g}"


def unsupported(claim: str, sources: list[str]) -> list[float]:
    """Numbers in `claim` that none of the source texts contain (ranges count both ends)."""
    have: set[float] = set()
    for text in sources:
        have |= numbers(text)
    return sorted(n for n in numbers(claim) if n not in have)


_AMOUNT = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_SCALE_WORD = r"(?:(thousand|million|billion|trillion|mn|bn|tn|[kmbt])\b)"
_MEASURES = {
    "money": re.compile(
        rf"(?:US)?[$€£¥]\s?{_AMOUNT}(?:\s*(?:-|–|to)\s*[$€£¥]?{_AMOUNT})?\s*{_SCALE_WORD}?"
        rf"|{_AMOUNT}\s*{_SCALE_WORD}?\s*(?:dollars|yuan|rubles|roubles|euros|usd)\b",
        re.I,
    ),
    "percent": re.compile(rf"{_AMOUNT}\s*(?:%|percent\b|per cent\b)", re.I),
    "volume": re.compile(
        rf"{_AMOUNT}\s*{_SCALE_WORD}?\s*(?:cubic (?:metres|meters)|bcm|barrels|tonnes|tons)\b",
        re.I,
    ),
}


def measure_spans(text: str) -> list[tuple[str, set[float], int, int]]:
    """(kind, values, start, end) of each money, percentage or volume figure in `text`, in
    order ("$240-250 billion" gives both ends); plain counts and years are left out: they rarely
    measure the same thing."""
    out: list[tuple[str, set[float], int, int]] = []
    for kind, pattern in _MEASURES.items():
        for m in pattern.finditer(text):
            groups = list(m.groups())
            scale_words = [g for g in groups if g and not g[0].isdigit()]
            scale = _SCALE.get(scale_words[0].lower(), 1.0) if scale_words else 1.0
            values = {float(g.replace(",", "")) * scale for g in groups if g and g[0].isdigit()}
            out.append((kind, values, m.start(), m.end()))
    return sorted(out, key=lambda x: x[2])
