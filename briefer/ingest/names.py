"""Readable names for articles: the headline a text opens with, a short label cut from it, and
whether a file name is a name at all.

A title comes from the text's first lines when nothing better (manifest, front matter, HTML
metadata) gives one:

- a site name glued to the headline with no space ("World Blog by humble servant.Comprehensive
  Overview: ...") is split at the "word.Capital" join and the tail is the title ("U.S.", "3.5",
  "e.g.", "news.com" and "Mr.Smith"-style abbreviations are not joins);
- one- or two-word section labels ("China News") are skipped when a headline follows (a line
  of three words or more that is not a sentence ending in a period: "Bridge reopens" above a
  body sentence stays the title);
- a first line that is a paragraph, not a headline, gives its first sentence, shortened.

A file stem names the outlet only when it reads as words: letters in words joined by "-", "_",
"." or spaces ("reuters", "herald-bridge"). A stem with any digit, or with a run of eight or more
hex letters ("000_37727bd3f3f41417", "deadbeefcafe"), is an id, not a name; such an article is
labelled by its title, shortened.
"""

from __future__ import annotations

import re

from ..text.clip import clip

LABEL_WORDS, LABEL_CHARS = 6, 40  # an outlet label cut from a title
TITLE_WORDS, TITLE_CHARS = 25, 160  # a headline longer than this is a paragraph
SENTENCE_WORDS, SENTENCE_CHARS = 12, 90  # a title cut from a paragraph's first sentence
_LOOK_LINES = 4  # label lines skipped at most before the headline

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr mt ft gen gov sen rep prof lt col capt sgt no vs inc co corp ltd".split()  # noqa: SIM905 (a word list reads better as text)
)
# "servant.Comprehensive": a word of two or more letters, a period, a capitalised word.
_GLUED = re.compile(r"(?<=[A-Za-z][a-z])\.(?=[A-Z][a-z])")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])")
_LAST_WORD = re.compile(r"(\S+)$")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+)?(?:\*\*|__)?(.*?)(?:\*\*|__)?\s*$")
_NAME_STEM = re.compile(r"[A-Za-z]+(?:[-_. ]+[A-Za-z]+)*")
_HEX_RUN = re.compile(r"[0-9a-f]{8,}", re.I)


def shorten(text: str, words: int = LABEL_WORDS, chars: int = LABEL_CHARS) -> str:
    """`text` cut to a label: at most `words` words and about `chars` characters."""
    return clip(text, words, chars)


def is_name(stem: str) -> bool:
    """Whether a file stem reads as a name (see the module docstring), not an id."""
    return bool(_NAME_STEM.fullmatch(stem.strip())) and not _HEX_RUN.search(stem)


def _word_before(text: str, at: int) -> str:
    m = _LAST_WORD.search(text[:at])
    return m.group(1) if m else ""


def _unglue(line: str) -> str:
    """The headline of a line with a site name glued before it ("Blog.Headline" -> "Headline");
    a glued tail shorter than three words is kept with its head, spaced."""
    cuts = [
        m.start()
        for m in _GLUED.finditer(line)
        if _word_before(line, m.start()).lower() not in _ABBREVIATIONS
    ]
    if not cuts:
        return line
    tail = line[cuts[-1] + 1 :].strip()
    if len(tail.split()) >= 3:
        return tail
    parts = [line[i + 1 : j] for i, j in zip([-1, *cuts], [*cuts, len(line)], strict=True)]
    return ". ".join(p.strip() for p in parts)


def first_sentence(paragraph: str) -> str:
    """The paragraph up to its first sentence end; "U.S. President" and "Mr. Li" do not end
    one."""
    for m in _SENTENCE_END.finditer(paragraph):
        token = _word_before(paragraph, m.start()).rstrip(".!?\"'”’)").lower()
        if token in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", token):
            continue  # "Mr." or initials "U.S." / "e.g."
        return paragraph[: m.start()].strip()
    return paragraph.strip()


def _is_paragraph(line: str) -> bool:
    return len(line.split()) > TITLE_WORDS or len(line) > TITLE_CHARS


def _is_label(line: str) -> bool:
    return len(line.split()) <= 2


def _is_headline(line: str) -> bool:
    """Three words or more, short of a paragraph, and not a sentence ending in a period."""
    return not _is_label(line) and not _is_paragraph(line) and not line.endswith(".")


def headline(text: str) -> str:
    """The title a text opens with (see the module docstring); '' for a text with no words."""
    lines = [_HEADING.sub(r"\1", raw).strip() for raw in text.splitlines()]
    lines = [line for line in lines if line][: _LOOK_LINES + 1]
    if not lines:
        return ""
    first = next((i for i, line in enumerate(lines) if not _is_label(line)), 0)
    i = first if _is_headline(lines[first]) else 0
    line = _unglue(lines[i])
    if _is_paragraph(line):
        sentence = first_sentence(line)
        return shorten(sentence.removesuffix("."), SENTENCE_WORDS, SENTENCE_CHARS)
    return shorten(line, TITLE_WORDS, TITLE_CHARS)
