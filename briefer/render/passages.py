"""Where a briefing's evidence stands in an article: the passages a report highlights in place.

A citation, a contradiction's side, a quote or a loaded phrase is a piece of the article's
cleaned text. Here each is found again (word by word, so curly quotes, dashes and line breaks
do not hide it) and the text is cut into pieces, plain or marked, for a renderer that escapes
every piece. Marks nest (a loaded phrase inside a cited sentence); a passage that crosses
another one's edge is not marked on its own: links to it go to the mark holding its start.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

Span = tuple[int, int]

_WORD = re.compile(r"\w+")
# What may follow a passage's last word and still belong to it: a per cent sign, its closing
# stop and quotes.
_TAIL = re.compile(r"%?[.!?…,;:]?[\"'”’»)\]]*")
_ELLIPSIS = re.compile(r"\.\.\.|…")


@dataclass(frozen=True)
class Piece:
    """A run of the article: `text` is plain text; "open" and "close" start and end a mark."""

    kind: str  # "text", "open" or "close"
    value: str = ""  # the text, or the opened mark's anchor id


class Words:
    """An article's words, casefolded and joined once, so a passage is found word for word by
    one substring search (linear in the text, however hostile its repetitions)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = [m.span() for m in _WORD.finditer(text)]
        folded = [text[a:b].casefold() for a, b in self.spans]
        self.joined = "\x00" + "\x00".join(folded) + "\x00"
        self.offsets = list(accumulate((len(w) + 1 for w in folded), initial=1))

    def find(self, words: list[str]) -> tuple[int, int] | None:
        """The first and last word index of the first run of `words` in the text."""
        at = self.joined.find("\x00" + "\x00".join(w.casefold() for w in words) + "\x00")
        if at < 0:
            return None
        first = bisect_left(self.offsets, at + 1)
        return first, first + len(words) - 1


def _first_piece(passage: str) -> str:
    """The passage up to an ellipsis that cuts it ('' only when there are no words at all)."""
    pieces = [p.strip() for p in _ELLIPSIS.split(passage)]
    return next((p for p in pieces if _WORD.search(p)), "")


def _exact(piece: str, text: str) -> Span | None:
    """`piece` as it stands in the text, not inside a longer word ("regime" is not found in
    "regimes"); a sentence may start glued to a heading ("...TiesThe 30th meeting")."""
    glued_ok = piece[:1].isupper()
    for m in re.finditer(re.escape(piece), text):
        a, b = m.span()
        before = a == 0 or not (piece[0].isalnum() and text[a - 1].isalnum()) or glued_ok
        after = b == len(text) or not (piece[-1].isalnum() and text[b].isalnum())
        if before and after:
            return a, b
    return None


def locate(passage: str, text: str, words: Words | None = None) -> Span | None:
    """Where `passage` stands in `text`: as it is, else word for word (case and punctuation
    aside); a passage cut with an ellipsis is found by its first piece. None when it is not
    there."""
    piece = _first_piece(passage)
    if not piece:
        return None
    if span := _exact(piece, text):
        return span
    index = words if words is not None else Words(text)
    run = index.find(_WORD.findall(piece))
    if run is None:
        return None
    end = index.spans[run[1]][1]
    return index.spans[run[0]][0], end + _tail(piece, text, end)


def _tail(passage: str, text: str, end: int) -> int:
    """How many of the marks after the last word (a per cent sign, a stop, closing quotes)
    belong to the passage: as many as it ends with itself, at most."""
    ends_with = len(passage.rstrip()) - max(m.end() for m in _WORD.finditer(passage))
    tail = _TAIL.match(text, end)
    return min(ends_with, tail.end() - end) if tail else 0


def anchors(text: str, passages: Sequence[str], prefix: str) -> tuple[list[Piece], dict[str, str]]:
    """The text cut into plain and marked pieces, and each passage's anchor id (the mark a link
    to it should open; passages not found in the text have none)."""
    words = Words(text)
    spans: dict[Span, str] = {}
    anchor_of: dict[str, Span] = {}
    for p in dict.fromkeys(passages):
        span = locate(p, text, words)
        if span is not None:
            spans.setdefault(span, f"{prefix}-{len(spans) + 1}")
            anchor_of[p] = span
    kept = _nested(sorted(spans, key=lambda s: (s[0], -s[1])))
    ids: dict[str, str] = {}
    for p, span in anchor_of.items():
        holder = span if span in kept else _holder(span, kept)
        if holder is not None:
            ids[p] = spans[holder]
    return _pieces(text, kept, spans), ids


def _nested(ordered: list[Span]) -> list[Span]:
    """The spans that nest or stand apart (in order); one that crosses an earlier edge is out."""
    kept: list[Span] = []
    for start, end in ordered:
        if all(end <= s or start >= e or (s <= start and end <= e) for s, e in kept):
            kept.append((start, end))
    return kept


def _holder(span: Span, kept: list[Span]) -> Span | None:
    """The innermost kept span holding `span`'s start."""
    holding = [k for k in kept if k[0] <= span[0] < k[1]]
    return min(holding, key=lambda k: k[1] - k[0]) if holding else None


def _pieces(text: str, kept: list[Span], ids: dict[Span, str]) -> list[Piece]:
    """Walk the text once, opening and closing marks at the kept spans' edges."""
    events = sorted(
        [(s, 1, -e, "open", ids[(s, e)]) for s, e in kept]
        + [(e, 0, -s, "close", "") for s, e in kept]
    )
    out: list[Piece] = []
    at = 0
    for pos, _, _, kind, value in events:
        if pos > at:
            out.append(Piece("text", text[at:pos]))
            at = pos
        out.append(Piece(kind, value))
    if at < len(text):
        out.append(Piece("text", text[at:]))
    return out
