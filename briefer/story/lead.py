"""Lead: the first real sentence of an article's reporting, which is what the outlet puts first.

Pages open with furniture before the story: the title again, a section label ("China News"),
headings, photo captions and credits ("Photo: …", "… | Afp | Getty Images", "In this pool
photograph distributed by …"), datelines and timestamps ("Nov 3, 2025 - 12:34"), bylines. The
lead is the first sentence of the first line that is none of these: cut at its sentence end
(never at "U.S." or "Nov."), and at LEAD_WORDS words on a word boundary, with "…", if longer.
A wire dateline before it ("BEIJING (Reuters) - ") is dropped, and so is a heading glued to it
by scraping ("…Strategic TiesThe 30th regular meeting …").
"""

from __future__ import annotations

import re

from ..checks.verify import normalize
from ..text.clip import clip
from ..text.sentences import sentences

LEAD_WORDS = 45
_MIN_WORDS = 6  # a line or sentence shorter than this is a label, not reporting
_HEADING_WORDS = 20  # a line this short with no sentence end is a heading

_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_CAPTION = re.compile(
    r"^(?:(?:photo|photograph|image|picture|pictured|credit|credits|caption|file photo|video|"
    r"watch|listen|audio|source)\b\s*[:|–—-]"
    r"|in this (?:[\w-]+ ){0,4}(?:photo(?:graph)?|picture|image|handout|file|screen ?grab|"
    r"video|still)\b)",
    re.I,
)
_POSITION = re.compile(
    r"\((?:L|R|C|left|right|centre|center|front|back|top|bottom|2nd [LR]|[LR] to [LR])\)", re.I
)
_BYLINE = re.compile(
    r"^(?:(?:written|reporting|reported|posted|published|story|words|photos?|text)\s+)?by\s+[A-Z]",
    re.I,
)
_BULLET = re.compile(r"^(?:[-*•·▪►]|\d{1,2}[.)])\s")
_TIME_WORDS = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:s(?:day)?)?|"
    r"wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|updated|"
    r"published|posted|last|modified|on|at|am|pm|a\.m|p\.m|gmt|utc|est|edt|et|bst|cet|cest|msk|"
    r"ist|hkt|jst|pst|pdt|read|mins?|minutes?|hours?|ago|today|yesterday)\b"
    r"|\d+(?:st|nd|rd|th)?|[\s,:/.\-–—()+]"
)
_DATELINE = re.compile(
    r"^[A-Z][A-Z'’-]{2,}(?:\s+[A-Z][A-Z'’-]+){0,3}(?:,\s*[A-Z][\w.]*(?:\s+[\w.]+){0,3})?"
    r"\s*(?:\([^()\n]{1,40}\)\s*)?[-–—]+\s+"
)
# "…Strategic TiesThe 30th …": a lowercase letter right before a capitalised word, no space.
# A heading glued to a sentence ("…Strategic TiesThe 30th"): three lower-case letters before the
# capital, so names such as "McConnell" or "DeSantis" are not cut.
_GLUE = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z]+\s)")
_TITLE_GLUE = re.compile(r"(?<=[a-z.!?])(?=[A-Z][a-z])")
_MAX_LINES = 400  # the lead stands near the top; a page of furniture is not read to its end


def _words(line: str) -> int:
    return len(line.split())


def _is_timestamp(line: str) -> bool:
    """A line of dates, times and their labels only ("Nov 3, 2025 - 12:34", "Updated 5 min
    ago")."""
    return any(c.isdigit() for c in line) and not _TIME_WORDS.sub("", line.casefold())


def _is_credit(line: str) -> bool:
    """Pipes stand in credits, bylines, navigation and tables, never in a lead."""
    return "|" in line


def _is_heading(line: str) -> bool:
    """A label, a heading or a headline: short, or with no sentence end."""
    words = _words(line)
    return words < _MIN_WORDS or (words < _HEADING_WORDS and not _SENTENCE_END.search(line))


def _is_furniture(line: str, following: str) -> bool:
    """Any page furniture that is not reporting; `following` is the next non-empty line (a
    caption is the line before a credit)."""
    return (
        _is_heading(line)
        or _is_credit(line)
        or _is_timestamp(line)
        or bool(_CAPTION.match(line) or _POSITION.search(line) or _BULLET.match(line))
        or (bool(_BYLINE.match(line)) and _words(line) <= 12)
        or (_is_credit(following) and _is_heading(following.replace("|", " ")))
    )


def _title_keys(title: str) -> tuple[set[str], list[str]]:
    """The title and the pieces scraping glued it from ("World Blog by humble
    servant.Comprehensive Overview: …"): normalized for comparing whole lines, and the
    pieces of at least three words as written, for cutting one glued to the lead."""
    title = " ".join(title.split())
    pieces = [p.strip() for p in _TITLE_GLUE.split(title)] if title else []
    pieces = [p for p in {title, *pieces} if _words(p) >= 3]
    return {normalize(p) for p in [title, *pieces] if p}, sorted(pieces, key=lambda p: (-len(p), p))


def _is_title(line: str, keys: set[str]) -> bool:
    """The title repeated as a line (a whole paragraph that the title was cut from is not)."""
    return normalize(line) in keys and _words(line) < 30 and len(sentences(line)) == 1


def _unglue(line: str, pieces: list[str]) -> str:
    """`line` without a heading glued to its start: the title's, or any Title Case one."""
    for piece in pieces:
        rest = line[len(piece) :]
        if line.startswith(piece) and rest[:1].isupper():
            return rest
    m = _GLUE.search(line, 0, 200)
    if m is None:
        return line
    head = line[: m.start()].split()
    capitalised = sum(1 for w in head if w[:1].isupper())
    if (
        len(head) >= 3
        and 5 * capitalised >= 3 * len(head)
        and not _SENTENCE_END.search(line[: m.start()])
    ):
        return line[m.start() :]
    return line


def _first_sentence(line: str) -> str:
    """The first sentence of a paragraph that says something (a two-word opener does not)."""
    line = _DATELINE.sub("", line, count=1)
    for sentence in sentences(line):
        if _words(sentence) >= _MIN_WORDS:
            return sentence
    return ""


def lead_sentence(text: str, title: str) -> str:
    """The article's first real sentence of reporting, at most LEAD_WORDS words; "" if none."""
    keys, pieces = _title_keys(title)
    lines = [ln.strip() for ln in text.splitlines()[:_MAX_LINES] if ln.strip()]
    for i, raw in enumerate(lines):
        if _is_title(raw, keys):
            continue
        line = _unglue(raw, pieces)
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not _is_furniture(line, following) and (sentence := _first_sentence(line)):
            return clip(sentence, LEAD_WORDS)
    return ""
