"""Clean: strip the boilerplate real article pages carry, never an article sentence.

Rules are line-based and conservative, each aimed at a pattern seen in real pages: "Read More"
promo blocks (title, section, repeated title, teaser ending in "[…]"), related-story links, photo
captions with their credit lines, product ads at the end, comment widgets and word-count footers.
Invisible characters go too (invisible.py): files and pages lose them as they are read, and an
article handed over some other way must not bring them to the model either.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from .invisible import visible


class CleanResult(BaseModel):
    text: str
    removed: list[str]


_READ_MORE = re.compile(r"^(read more|continue reading|read the full (story|article))\W*$", re.I)
_TEASER = re.compile(r"(\[…\]|\[\.\.\.\])\s*$")
_RELATED = re.compile(r"^(related|see also|also read|read more|more from|recommended)\s*:", re.I)
_WIDGET = re.compile(
    r"^(comments?|\d+ comments?|post a comment|leave a (comment|reply)|share( this( article)?)?"
    r"|tweet|source|advertisement|sponsored( content)?)\s*:?$",
    re.I,
)
_WORD_COUNT = re.compile(r"^\(?\s*word count\s*:?\s*[\d,]+\s*\)?$", re.I)
_PHOTO_LABEL = re.compile(r"^(photo|image|picture|credit|pictured|photograph)\s*:", re.I)
_AGENCY = re.compile(
    r"(getty images|reuters|afp|\bap\b|bloomberg|associated press|epa|xinhua)", re.I
)
_DATE_END = re.compile(
    r"(january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+\d{1,2},\s+\d{4}\.?$",
    re.I,
)
# "Glow Sticks – Stay visible — ..." : a short Title Case product name, a dash, a pitch.
_AD = re.compile(r"^[A-Z][\w'’-]*(?: [A-Z&][\w'’-]*){0,4} [–—] \S.{8,160}$")


def _is_credit(line: str) -> bool:
    """`Name | Agency | Getty Images` style photo credit lines."""
    if _PHOTO_LABEL.match(line):
        return True
    if " | " not in line or len(line) > 100 or line.endswith("."):
        return False
    parts = [p.strip() for p in line.split("|")]
    return all(0 < len(p.split()) <= 4 for p in parts) and bool(_AGENCY.search(line))


def clean_text(text: str) -> CleanResult:
    """Return the article text with boilerplate lines removed, and what was removed."""
    lines = visible(text).splitlines()
    body = [i for i, ln in enumerate(lines) if ln.strip()]
    drop: set[int] = set()
    seen: set[str] = set()

    for pos, i in enumerate(body):
        line = lines[i].strip()
        key = re.sub(r"\s+", " ", line).casefold()
        if (
            _TEASER.search(line)
            or _RELATED.match(line)
            or _WIDGET.match(line)
            or _WORD_COUNT.match(line)
        ):
            drop.add(i)
        elif _is_credit(line):
            drop.add(i)
            # The caption the credit belongs to stands right before it and ends in a date.
            if pos > 0 and _DATE_END.search(lines[body[pos - 1]].strip()):
                drop.add(body[pos - 1])
        elif key in seen and len(line) <= 200:
            drop.add(i)  # a repeated title or heading
        if _READ_MORE.match(line):
            drop.add(i)
            _drop_promo_block(lines, body, pos, drop)
        seen.add(key)

    # Ads and link lists trail the article: drop them from the end back to the last real line.
    # Ads come in runs; one dash-sentence alone at the end is more likely the article's own.
    trailing_ads: list[int] = []
    for i in reversed(body):
        line = lines[i].strip()
        if i in drop:
            continue
        if _RELATED.match(line):
            drop.add(i)
        elif _AD.match(line) and " said" not in line:
            trailing_ads.append(i)
        else:
            break
    if len(trailing_ads) >= 2:
        drop.update(trailing_ads)

    kept = [ln.rstrip() for i, ln in enumerate(lines) if i not in drop]
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip() + "\n"
    return CleanResult(text=cleaned, removed=[lines[i].strip() for i in sorted(drop)])


def _drop_promo_block(lines: list[str], body: list[int], pos: int, drop: set[int]) -> None:
    """A promo block before "Read More" repeats its headline: drop from the first copy on."""
    window: list[int] = []
    for j in range(pos - 1, max(pos - 7, -1), -1):
        line = lines[body[j]].strip()
        if _READ_MORE.match(line):
            break
        window.append(body[j])
    texts = [lines[i].strip() for i in window]
    for a in reversed(range(len(window))):
        if texts.count(texts[a]) > 1:
            for i in window[: a + 1]:
                drop.add(i)
            return
