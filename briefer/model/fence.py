"""Defusing fence tags: any text a model could read as opening or closing one of the tags that
fence data in a prompt gets a backslash after its '<' ("</article" becomes "<\\/article").

A model reads past what the tags' exact spelling would catch, so the check reads the text the
same lenient way, and only the check does (the text itself is left as it was):
- '<' is any character Unicode lists as confusable with '<' or with an angle bracket ("‹",
  "〈", "⟨", "❮", ...), any whose compatibility form is one ("＜", "﹤", U+2329 "〈"), or an
  HTML entity for one ("&lt;", "&#60;", "&#x3c;", "&lsaquo;");
- spaces, controls, '/' and its look-alikes ("∕", "⁄", "／") may stand between it and the name;
- in the name, invisible characters (format characters such as the soft hyphen or a zero-width
  space) and combining marks are ignored, compatibility forms are folded (NFKD: "ａ", "𝐚"), and
  each letter may be any character Unicode lists as confusable with it (Cyrillic "а", Greek
  "ο", ...), in any case.

The confusables are Unicode's own list (confusables.txt, UTS #39) as the confusable-homoglyphs
package ships it, rather than a table of our own that would miss what it did not think of. It
is loaded only for a text holding an entity or one of ANGLES, the '<' characters that list
gives (kept here so the check of an ordinary article, curly quotes and "R&D" and all, loads
nothing; a test holds ANGLES equal to what the list gives).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

# The characters that stand for '<': its own confusables, and those of the angle bracket
# Unicode groups "〈", "⟨" and "〈" under but its letters (the kana "く" a Japanese word may end
# with right before a Latin one). The '/' of a closing tag.
_LT, _ANGLE, _SLASH = "<", "\u276c", "/"
# Skipped between '<' and the name (with spaces and '/'), and inside the name: controls,
# format characters and combining marks, which a reader does not see as letters.
_UNSEEN = frozenset({"Cc", "Cf", "Mn", "Me"})
# '<' as an entity, with or without ';', in any case; then any other entity, decoded to check.
_LT_ENTITY = r"&lt;?|&#0*60;?|&#x0*3c;?"
_ENTITY = r"&[a-z][a-z0-9]*;|&#[0-9]+;?|&#x[0-9a-f]+;"
# Where an entity the pattern reads may stand ("&lt", "&#60", "&lsaquo;"); "R&D" is none.
_ENTITY_START = re.compile(r"&(?:#|lt|[a-z][a-z0-9]*;)", re.IGNORECASE)
# The '<' characters `angle_characters()` derives from the confusables list, as it gives them.
ANGLES = frozenset(
    "\u003c\u02c2\u1438\u16b2\u2039\u226e\u2329\u276c\u276e\u27e8\u3008\u31db\ufe3f\ufe64\uff1c"
    "\U0001d236"
)


def _confusable_with(char: str) -> set[str]:
    """`char` and the characters Unicode lists as confusable with it."""
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(char, greedy=True)
    return {char} | {h["c"] for f in found or [] for h in f["homoglyphs"]}


def _with_compatibility_forms(chars: set[str]) -> frozenset[str]:
    """`chars` and every character of the Basic Multilingual Plane (where the compatibility
    forms of these are) whose compatibility decomposition starts with one of them."""
    forms = (chr(c) for c in range(0x10000))
    return frozenset(chars | {c for c in forms if unicodedata.normalize("NFKD", c)[:1] in chars})


@cache
def _opening() -> tuple[re.Pattern[str], frozenset[str], frozenset[str]]:
    """The pattern of a '<' (character or entity), the '<' characters and the '/' characters."""
    brackets = {c for c in _confusable_with(_ANGLE) if not unicodedata.category(c).startswith("L")}
    angles = _with_compatibility_forms(_confusable_with(_LT) | brackets)
    slashes = _with_compatibility_forms(_confusable_with(_SLASH))
    chars = "".join(re.escape(c) for c in sorted(angles))
    return re.compile(f"(?P<lt>{_LT_ENTITY})|{_ENTITY}|[{chars}]", re.IGNORECASE), angles, slashes


@lru_cache(maxsize=4096)
def _read_as(char: str) -> frozenset[str]:
    """The lowercase ASCII letters a reader may take `char` (one character of a compatibility
    decomposition, not a mark) for: itself, or what it is confusable with."""
    if char.isascii() and char.isalpha():
        return frozenset(char.lower())
    folded = char.casefold()
    looks = _confusable_with(char) | (_confusable_with(folded) if len(folded) == 1 else set())
    return frozenset(c.lower() for c in looks if len(c) == 1 and c.isascii() and c.isalpha())


def _unseen(char: str) -> bool:
    return unicodedata.category(char) in _UNSEEN and not char.isspace()


def _opens_tag(text: str, at: int, names: Sequence[str], slashes: frozenset[str]) -> bool:
    """Whether the text from `at` (just after a '<') reads as one of `names`, after any spaces,
    '/' and unseen characters; in the name, unseen characters are ignored, compatibility forms
    folded and accents split off. Reads letter by letter while some name still fits."""
    while at < len(text) and (text[at].isspace() or text[at] in slashes or _unseen(text[at])):
        at += 1
    fits, k = list(names), 0
    while at < len(text):
        for unit in unicodedata.normalize("NFKD", text[at]):
            if _unseen(unit):
                continue
            read = _read_as(unit)
            fits = [n for n in fits if n[k] in read]
            k += 1
            if any(len(n) == k for n in fits):
                return True
            if not fits:
                return False
        at += 1
    return False


def angle_characters() -> frozenset[str]:
    """The characters that stand for '<', as derived from Unicode's confusables list."""
    return _opening()[1]


def _is_angle(lead: re.Match[str], angles: frozenset[str]) -> bool:
    """Whether a match of the opening pattern is a '<' (an entity is decoded to tell)."""
    if lead["lt"]:
        return True
    return html.unescape(lead.group()) in angles


def defuse(text: str, names: Sequence[str]) -> str:
    """`text` with a backslash after every '<' that a model could read as opening or closing
    a tag named in `names`; applying it twice changes nothing (a backslash is not skipped)."""
    if ANGLES.isdisjoint(text) and not _ENTITY_START.search(text):
        return text
    pattern, angles, slashes = _opening()
    out: list[str] = []
    done = 0
    for m in pattern.finditer(text):
        if _is_angle(m, angles) and _opens_tag(text, m.end(), names, slashes):
            out += [text[done : m.end()], "\\"]
            done = m.end()
    return "".join(out) + text[done:]
