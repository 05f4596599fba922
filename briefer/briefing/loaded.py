"""Loaded wording worth showing: a phrase found verbatim in the article whose neutral rewording
really says it differently (not "Challenges" for "Challenges")."""

from __future__ import annotations

from ..checks.sentences import content_words
from ..checks.verify import normalize, quote_in
from ..schemas import LoadedPhrase


def really_differs(quote: str, neutral: str) -> bool:
    """True when the rewording changes the phrase's content words, not only case or articles."""
    a, b = set(content_words(quote)), set(content_words(neutral))
    return bool(a) and bool(b) and a != b


def loaded_in_text(phrases: list[LoadedPhrase], text: str) -> list[LoadedPhrase]:
    """The phrases whose quote is in `text` and whose neutral rewording really differs."""
    normalized = normalize(text)
    return [
        p for p in phrases if quote_in(p.quote, normalized) and really_differs(p.quote, p.neutral)
    ]
