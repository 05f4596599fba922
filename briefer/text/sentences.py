"""Sentences and their content words: the units facts are located in and aligned by.

News text is full of full stops that end nothing ("U.S.", "Nov. 3", "Mr. Li", "Donald J.
Trump") and of quotations that hold several sentences ("We are ready. We will act," he said).
A boundary is a line break, or a full stop, question or exclamation mark (with any closing
quote or bracket) followed by a space and a capital, a digit or an opening quote, unless the
word before it is an abbreviation or an initial, or it stands inside a protected span (a
quotation). Scraped text also glues a heading to the next sentence ("...TiesThe 30th"):
a stop between two lowercase letters and a capitalised word counts as a boundary too.
Everything is linear in the text's length: article text is hostile.

Content words are lower-cased, stemmed (Snowball, so "talks" and "talking" match) and stripped
of stop words; numbers keep their digits so "$240 billion" and "240bn" share "240".
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import snowballstemmer  # type: ignore[import-untyped]

Span = tuple[int, int]

# A line break, or one run of end marks (the lookbehind starts it at the run's first mark,
# possessive quantifiers never give characters back) with its closing quotes and brackets,
# before what can start a sentence; or a stop glued to a capitalised word.
_END = re.compile(
    r"(?P<stop>(?<![.!?…])[.!?…]++[\"'”’»)\]]*+)"
    r"(?=[ \t\r\f\v]*+(?:\n|$)|\s[ \t\r\f\v]*+[A-Z0-9\"“‘«(\[])"
    r"|(?<=[a-z]{2})[.!?](?=[A-Z][a-z])|\n"
)
_WORD_BEFORE = re.compile(r"[\w.’'-]{1,15}$")
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sen rep gov gen lt col capt sgt maj adm cmdr st jr sr rev hon pres
    inc ltd co corp plc llc bros no nos vs etc al approx est dept univ fig figs vol ed eds pp
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def _is_abbreviation(text: str, mark: int) -> bool:
    """True when the word right before the full stop at `mark` is an abbreviation or initial."""
    if text[mark] != ".":
        return False
    m = _WORD_BEFORE.search(text, max(0, mark - 15), mark)
    if not m:
        return False
    word = m.group(0).lstrip("’'-")
    return word.casefold() in _ABBREVIATIONS or bool(_INITIALS.fullmatch(word))


def _ends_here(text: str, m: re.Match[str]) -> bool:
    """A candidate end really ends a sentence: a line break or a glued heading always does; an
    end mark does unless the word before it is an abbreviation."""
    return m.group("stop") is None or not _is_abbreviation(text, m.start())


def _inside(pos: int, protected: Sequence[Span], starts: list[int]) -> bool:
    """True when `pos` falls strictly inside one of the sorted, disjoint protected spans."""
    i = bisect.bisect_right(starts, pos - 1) - 1
    return i >= 0 and protected[i][0] < pos < protected[i][1]


# A heading glued to its first sentence when a page lost its line break ("... Strategic
# TiesThe 30th regular meeting"): a lower-case word running into a capitalised function word
# that opens a sentence. "YouTube" or "McConnell" are no such join.
_GLUED = re.compile(r"(?<=[a-z]{3})(?=(?:The|A|An|In|On|At|As|This|It|With|For|After|When)\s)")


def sentence_spans(text: str, protected: Sequence[Span] = ()) -> list[Span]:
    """(start, end) of each sentence of `text`, in order, stripped of surrounding space.

    `protected` spans (sorted, disjoint: quotations) are never cut inside."""
    starts = [s for s, _ in protected]
    cuts = [0]
    for m in _END.finditer(text):
        if _ends_here(text, m) and not _inside(m.end(), protected, starts):
            cuts.append(m.end())
    cuts += [m.start() for m in _GLUED.finditer(text) if not _inside(m.start(), protected, starts)]
    cuts = sorted(set(cuts))
    cuts.append(len(text))
    spans: list[Span] = []
    for a, b in pairwise(cuts):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of `text`, in order."""
    return [text[a:b] for a, b in sentence_spans(text)]


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


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


# "wasn't", "they're", "we'll": function words, however rare their spelling in a story.
_CONTRACTED = ("n't", "'re", "'ve", "'ll", "'d", "'m")


def content_words(text: str) -> list[str]:
    """Stemmed, lower-cased content words and bare numbers of `text`, in order."""
    words = []
    for raw in _WORD.findall(text):
        if raw[0].isdigit():
            words.append(raw.replace(",", "").rstrip("."))
            continue
        word = raw.casefold().replace("’", "'").removesuffix("'s").strip("'-")
        if len(word) > 1 and word not in _STOP and not word.endswith(_CONTRACTED):
            words.append(word)
    return [w if w[0].isdigit() else _stem(w) for w in words]


@lru_cache(maxsize=64)
def vocabulary(text: str) -> frozenset[str]:
    """The content words of a whole text, computed once per text (the checks ask for an
    article's words once per sentence they judge)."""
    return frozenset(content_words(text))


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """One word's stem; cached, as the aligner looks at each sentence many times."""
    stem: str = _stemmer().stemWord(word)
    return stem


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` in order, each with its start offset in `text`."""
    return [
        Sentence(index=i, start=a, text=text[a:b]) for i, (a, b) in enumerate(sentence_spans(text))
    ]
