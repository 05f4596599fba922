"""Sentences and their content words: the units facts are located in and aligned by.

The splitter is a single linear pass of one regex (article text is hostile: a 200 KB line of
periods and quotes must not backtrack), with a short list of abbreviations that end in a period
but not a sentence ("U.S.", "Nov.", "Mr."). Content words are lower-cased, stemmed (Snowball,
so "talks" and "talking" match) and stripped of stop words; numbers keep their digits so
"$240 billion" and "240bn" share "240".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

# A sentence ends at . ! ? (and any closing quotes or brackets) followed by space and a capital,
# a digit or an opening quote; or at a line break.
_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n+")
_LAST_WORD = re.compile(r"(\S+)$")
_ABBREV = frozenset(
    """
    mr mrs ms dr prof sen rep gov gen col lt st jr sr inc ltd corp co no vs etc e.g i.e
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u d.c a.m p.m
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*\d|\d")
_STOP = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours said says say told according also
    would could may might must shall one ones it's s t don just new
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article: its text as written and where it starts."""

    index: int
    start: int
    text: str


def _is_abbreviation(before: str) -> bool:
    m = _LAST_WORD.search(before)
    if not m:
        return False
    word = m.group(1).rstrip(".").lstrip("(\"'“‘").casefold()
    return word in _ABBREV or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` in order, each stripped, with its start offset in `text`."""
    out: list[Sentence] = []
    start = 0
    for m in _END.finditer(text):
        if m.group(0)[0] == "." and _is_abbreviation(text[start : m.start()]):
            continue
        _add(out, text, start, m.start() + len(m.group(0).rstrip()))
        start = m.end()
    _add(out, text, start, len(text))
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        out.append(Sentence(index=len(out), start=start + lead, text=stripped))


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def content_words(text: str) -> list[str]:
    """Stemmed, lower-cased content words and bare numbers of `text`, in order."""
    words = []
    for raw in _WORD.findall(text):
        if raw[0].isdigit():
            words.append(raw.replace(",", "").rstrip("."))
            continue
        word = raw.casefold().replace("’", "'").removesuffix("'s").strip("'-")
        if len(word) > 1 and word not in _STOP:
            words.append(word)
    return [w if w[0].isdigit() else _stem(w) for w in words]


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """One word's stem; cached, as the aligner looks at each sentence many times."""
    stem: str = _stemmer().stemWord(word)
    return stem
