"""Verify: every quote must stand in the article it is attributed to; every citation must
name a real article. What fails is removed (or its item dropped), counted and listed, so a
reader sees "quotes verified: N/M" and nothing unverifiable.
"""

from __future__ import annotations

import re
import unicodedata

from ..schemas.briefing import QuotedSource, Verification
from ..schemas.replies import ArticleAnalysis
from ..text.numbers import numbers, unsupported

# Distinctive terms: capitalised names, not the sentence's first word (numbers are checked apart).
_TERM = re.compile(r"\b[A-Z][\w’'-]{2,}")
_QUOTES = str.maketrans({c: "'" for c in '"“”„‟‘’‚‛`´«»'})
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})


def normalize(text: str) -> str:
    """Fold the differences a faithful copy may still have: quote marks, dashes, case, spaces."""
    text = unicodedata.normalize("NFKC", text).replace("…", "...")
    text = text.translate(_QUOTES).translate(_DASHES).casefold()
    return re.sub(r"\s+", " ", text).strip()


def quote_in(quote: str, normalized_text: str) -> bool:
    """True when `quote` (pieces around '...' in order) appears in the normalized text."""
    q = normalize(quote).strip(" '.,;:")
    if len(q) < 3:
        return False
    pos = 0
    for piece in (p.strip(" '.,;:") for p in q.split("...")):
        if not piece:
            continue
        found = normalized_text.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def distinctive_terms(text: str) -> set[str]:
    """The sentence's capitalised names past its first word, casefolded, without a possessive
    ("China's" is China, whether or not an outlet writes the possessive)."""
    words = _TERM.findall(text.split(" ", 1)[-1])
    return {t.casefold().replace("’", "'").removesuffix("'s") for t in words}


def clean_label(source: str) -> str:
    """A citation as the model wrote it (' a1', '[A1]') as the article label it names ('A1')."""
    return source.strip().strip("[]").upper()


class Verifier:
    """Accumulates counts over a whole briefing while it cleans each part."""

    def __init__(self, texts_by_label: dict[str, str]) -> None:
        self.texts = {label: normalize(t) for label, t in texts_by_label.items()}
        self.report = Verification()

    def _check(self, label: str, quote: str, what: str) -> bool:
        self.report.quotes_total += 1
        ok = label in self.texts and quote_in(quote, self.texts[label])
        if ok:
            self.report.quotes_verified += 1
        else:
            self.report.flagged.append(f"{label}: removed unverifiable {what} '{quote[:80]}'")
        return ok

    def analysis(self, label: str, a: ArticleAnalysis) -> ArticleAnalysis:
        """Keep only the loaded wording found in the article. A fact's words are never shown:
        they only point code to the article's own sentence, so they are not counted here."""
        a = a.model_copy(deep=True)
        # A loaded phrase with no words is nothing to show: dropped, not counted as a quote
        # (it is neither verified nor invented).
        a.loaded_wording = [w for w in a.loaded_wording if w.quote.strip()]
        before = len(a.loaded_wording)
        a.loaded_wording = [
            w for w in a.loaded_wording if self._check(label, w.quote, "loaded wording")
        ]
        self.report.items_dropped += before - len(a.loaded_wording)
        return a

    def quotes(self, label: str, found: list[QuotedSource]) -> list[QuotedSource]:
        """Quotes found in the article by code, checked and counted like the model's."""
        return [q for q in found if self._check(label, q.quote, "quote")]

    def _cited(self, labels: list[str]) -> list[str]:
        """The normalized texts of the cited articles that exist."""
        return [self.texts[label] for label in labels if label in self.texts]

    def claim(self, text: str, labels: list[str]) -> list[str]:
        """Flags for a summary sentence or takeaway: numbers no cited article states, and
        citations to articles that mention none of the sentence's distinctive terms. Counts each
        citation, and as valid only one that names an article of this briefing."""
        self.report.citations_total += len(labels)
        self.report.citations_valid += sum(label in self.texts for label in labels)
        flags = [*self._number_flags(text, labels), *self._citation_flags(text, labels)]
        for flag in flags:
            self.report.flagged.append(f"'{text[:60]}': {flag}")
        return flags

    def _number_flags(self, text: str, labels: list[str]) -> list[str]:
        found = numbers(text)
        missing = unsupported(normalize(text), self._cited(labels))
        self.report.numbers_total += len(found)
        self.report.numbers_verified += len(found) - len(missing)
        return [f"number {n:g} is not in the cited articles" for n in missing]

    def _citation_flags(self, text: str, labels: list[str]) -> list[str]:
        terms = distinctive_terms(text)
        flags: list[str] = []
        for label in labels:
            if label not in self.texts:
                continue
            if not terms or any(t in self.texts[label] for t in terms):
                self.report.citations_supported += 1
            else:
                flags.append(f"{label} mentions none of: {', '.join(sorted(terms))}")
        return flags
