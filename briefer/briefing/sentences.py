"""Sentences: where an article's sentences start and end, as character spans of its text.

News text is full of full stops that end nothing ("U.S.", "Nov. 3", "Mr. Li", "Donald J.
Trump") and of quotations that hold several sentences ("We are ready. We will act," he said).
A boundary is a line break, or a full stop, question or exclamation mark (with any closing
quote or bracket) followed by a space and a capital, a digit or an opening quote, unless the
word before it is an abbreviation or an initial, or it stands inside a protected span (a
quotation). Scraped text also glues a heading to the next sentence ("...TiesThe 30th"):
a stop between two lowercase letters and a capitalised word counts as a boundary too.

Everything is linear in the text's length: article text is hostile.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from itertools import pairwise

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


def sentence_spans(text: str, protected: Sequence[Span] = ()) -> list[Span]:
    """(start, end) of each sentence of `text`, in order, stripped of surrounding space.

    `protected` spans (sorted, disjoint: quotations) are never cut inside."""
    starts = [s for s, _ in protected]
    cuts = [0]
    for m in _END.finditer(text):
        if _ends_here(text, m) and not _inside(m.end(), protected, starts):
            cuts.append(m.end())
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
