"""Verify: every quote must stand in the article it is attributed to; every citation must
name a real article. What fails is removed (or its item dropped), counted and listed, so a
reader sees "quotes verified: N/M" and nothing unverifiable.
"""

from __future__ import annotations

import re
import unicodedata

from ..schemas import ArticleAnalysis, Verification
from .numbers import numbers, unsupported

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


# Titles and roles say nothing about who a speaker is; names must stand in the article.
_TITLES = {
    "president",
    "prime",
    "minister",
    "deputy",
    "foreign",
    "vice",
    "premier",
    "chinese",
    "russian",
    "american",
    "state",
    "news",
    "agency",
    "the",
    "chairman",
    "director",
    "general",
    "head",
    "spokesman",
    "spokeswoman",
    "official",
    "officials",
    "secretary",
    "mr",
    "mrs",
    "ms",
    "dr",
    "said",
    "and",
}
_NAME = re.compile(r"\b[A-Z][\w’'-]+")


def speaker_in(who: str, normalized_text: str) -> bool:
    """True when every name in `who` (titles aside) appears in the article: a verbatim quote
    attributed to someone the article never names is an invented attribution."""
    names = [n for n in _NAME.findall(who) if n.casefold() not in _TITLES]
    if not names:
        return normalize(who) in normalized_text if who.strip() else True
    return all(normalize(n) in normalized_text for n in names)


def figure_in(value: str, normalized_text: str) -> bool:
    """True when the figure has a digit and stands in the article as written."""
    v = normalize(value).strip(" '.,;:")
    return any(ch.isdigit() for ch in v) and v in normalized_text


def distinctive_terms(text: str) -> set[str]:
    """The sentence's capitalised names past its first word, casefolded."""
    return {t.casefold() for t in _TERM.findall(text.split(" ", 1)[-1])}


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
        """Keep only quotes found in the article; a fact keeps its statement without one."""
        a = a.model_copy(deep=True)
        for fact in a.facts:
            if fact.quote.strip() and not self._check(label, fact.quote, "fact quote"):
                fact.quote = ""
        # A quoted source or loaded phrase with no words is nothing to show: dropped, not
        # counted as a quote (it is neither verified nor invented).
        a.quoted_sources = [q for q in a.quoted_sources if q.quote.strip()]
        a.loaded_wording = [w for w in a.loaded_wording if w.quote.strip()]
        before = len(a.figures) + len(a.quoted_sources) + len(a.loaded_wording)
        a.figures = [f for f in a.figures if self._figure(label, f.value, f.quote)]
        a.quoted_sources = [
            q
            for q in a.quoted_sources
            if self._check(label, q.quote, "quote") and self._speaker(label, q.who)
        ]
        for fact in a.facts:
            if fact.speaker and not speaker_in(fact.speaker, self.texts[label]):
                self.report.flagged.append(f"{label}: removed unnamed speaker '{fact.speaker}'")
                fact.speaker = ""
        a.loaded_wording = [
            w for w in a.loaded_wording if self._check(label, w.quote, "loaded wording")
        ]
        after = len(a.figures) + len(a.quoted_sources) + len(a.loaded_wording)
        self.report.items_dropped += before - after
        return a

    def _speaker(self, label: str, who: str) -> bool:
        if speaker_in(who, self.texts[label]):
            return True
        self.report.flagged.append(f"{label}: removed quote attributed to '{who}', not named")
        return False

    def _figure(self, label: str, value: str, quote: str) -> bool:
        """A figure stays when its quote (if any) is verbatim and its number stands in the
        article."""
        if quote.strip() and not self._check(label, quote, "figure quote"):
            return False
        if figure_in(value, self.texts[label]):
            return True
        self.report.flagged.append(f"{label}: removed figure '{value[:40]}' not in the article")
        return False

    def _cited(self, labels: list[str]) -> list[str]:
        """The normalized texts of the cited articles that exist."""
        return [self.texts[label] for label in labels if label in self.texts]

    def claim(self, text: str, labels: list[str]) -> list[str]:
        """Flags for a summary sentence or takeaway: numbers no cited article states, and
        citations to articles that mention none of the sentence's distinctive terms."""
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
