"""Periods in text: the time a figure covers ("2024", "last quarter", "the first nine months of
2025", "January to October", "annually"), found by pattern, never guessed.

Each period has a `key` to compare by ("Last quarter" and "last quarter" are one period) and
the `words` a note states it in ("for last quarter", "a year", "since 2022"). A year inside a
money, percentage or volume figure is not a period ("2000 tonnes").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import measure_spans

_MONTH_NAME = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?)"
)
_MONTH = rf"{_MONTH_NAME}(?!\s*\d{{1,2}}\b)"  # "November 3" is a day, not a period
_YEAR = r"(?<![\d$£€¥.,])(?:19|20)\d\d(?![\d%])"
_OF_YEAR = rf"(?:,?\s+(?i:of\s+)?{_YEAR})?"
_COUNT = r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})"
_RANGE = "|".join(
    [
        rf"{_MONTH}\s*(?:-|–|—|(?i:to|through|until)\s)\s*{_MONTH}{_OF_YEAR}",
        rf"(?i:(?:the\s+)?(?:first|past|last|previous)\s+{_COUNT}\s+months)"
        rf"(?:\s+(?i:to|through)\s+{_MONTH})?{_OF_YEAR}",
        rf"(?i:(?:the\s+)?(?:first|second|third|fourth|final|last|this|previous|past|latest|same"
        rf"|current)\s+quarter){_OF_YEAR}",
        rf"(?i:the\s+quarter)|Q[1-4](?:\s?{_YEAR})?|{_YEAR}\s?Q[1-4]",
        rf"(?i:(?:the\s+)?(?:first|second)\s+half){_OF_YEAR}|H[12]\s?{_YEAR}",
        rf"(?i:(?:the\s+)?(?:whole|full|entire)\s+year){_OF_YEAR}",
        r"(?i:(?:the\s+)?year[\s-]to[\s-]date)",
        r"(?i:(?:last|this|next|previous|past|current)\s+(?:year|month|week))",
    ]
)
_RATE = (
    r"(?i:annual(?:ly)?|yearly|per\s+(?:year|annum)"
    r"|(?:a|each|every)\s+year(?![\s-]+(?:ago|earlier|before|later|on|over))"
    r"|monthly|per\s+month|(?:a|each|every)\s+month(?!\s+(?:ago|earlier|before|later))"
    r"|weekly|per\s+week|quarterly)"
)
_SINCE = rf"(?i:since|by(?:\s+the\s+end\s+of)?)\s+(?:{_MONTH}\s+)?(?:(?i:mid-?))?{_YEAR}"
_POINT = rf"{_MONTH}{_OF_YEAR}|(?:(?i:fiscal\s+(?:year\s+)?|FY\s?|mid-))?{_YEAR}"
# A date ("November 3, 2025", "3 November 2025") is when something happened: matched so that
# its year is not read as a period, then dropped.
_DATE = (
    rf"{_MONTH_NAME}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR})?"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_NAME}(?:,?\s+{_YEAR})?"
)
_PERIOD = re.compile(
    rf"(?P<date>{_DATE})|(?P<span>{_RANGE})|(?P<rate>{_RATE})|(?P<since>{_SINCE})"
    rf"|(?P<point>{_POINT})"
)
_RATES = {"year": "a year", "annum": "a year", "annual": "a year", "month": "a month"}
_PROPER = re.compile(rf"(?:{_MONTH_NAME}|Q[1-4]|H[12]|FY\d*)$")


@dataclass(frozen=True)
class Period:
    """One period phrase of a text, where it stands."""

    key: str  # compared: "last quarter", "2024", "first nine months of 2025", "a year"
    words: str  # stated: "for last quarter", "for 2024", "a year", "since 2022"
    start: int
    end: int


def _normal(raw: str) -> str:
    """Single spaces, en dashes in month ranges, lower case but for months, Q3, H1 and FY."""
    text = re.sub(r"\s*[-–—]\s*(?=[A-Z])", "–", " ".join(raw.split()))
    return " ".join(
        "–".join(w if _PROPER.match(w) else w.lower() for w in word.split("–"))
        for word in text.split()
    )


def _rate(text: str) -> str:
    for stem, words in _RATES.items():
        if stem in text:
            return words
    return "a week" if "week" in text else "a quarter"


def _period(m: re.Match[str]) -> Period:
    text = _normal(m.group(0))
    if m.lastgroup == "rate":
        return Period(_rate(text), _rate(text), m.start(), m.end())
    key = re.sub(r"\b(?:whole|entire)\b", "full", text.removeprefix("the "))
    words = text if m.lastgroup == "since" else f"for {text}"
    return Period(key, words, m.start(), m.end())


def period_spans(text: str) -> list[Period]:
    """Every period phrase in `text`, in order."""
    figures = [(start, end) for _, _, start, end in measure_spans(text)]
    return [
        _period(m)
        for m in _PERIOD.finditer(text)
        if m.lastgroup != "date"
        and not any(start < m.end() and m.start() < end for start, end in figures)
    ]


def nearest_period(text: str, start: int, end: int, lo: int, hi: int) -> Period | None:
    """The period phrase closest to the figure at text[start:end], within text[lo:hi] (on a
    tie, the one after the figure: "$240 billion in 2024")."""
    best: tuple[int, int, Period] | None = None
    for p in period_spans(text):
        if p.start < lo or p.end > hi:
            continue
        after = p.start >= end
        gap = p.start - end if after else max(0, start - p.end)
        rank = (gap, 0 if after else 1, p)
        if best is None or rank[:2] < best[:2]:
            best = rank
    return best[2] if best else None
