"""Invisible characters out of outside text: what a reader cannot see must not reach the model,
the duplicate check or a page.

Removed: every format character (Unicode category Cf: zero-width space, joiners, word joiner,
soft hyphen, BOM, bidi marks, embeddings, overrides and isolates, invisible operators, tag
characters, interlinear annotation marks, ...) and the Hangul fillers, which render as
nothing. Padding made of them inflated a 591-character article to some 9,800 characters, an
all-invisible file to 100,000 tokens, hid a copy from the duplicate check and let a right-to-left
override reverse the names shown after it.

Kept, because real text needs them and one of them cannot inflate or reorder anything:
- one zero-width joiner or non-joiner standing alone between two characters of an emoji
  sequence or of an uncased script (an uncased letter, a mark or a symbol on each side): the ZWJ
  of "👩‍💻", the ZWNJ inside a Persian or Hindi word. Between Latin, Greek or Cyrillic letters,
  or in a run of several, it is padding and goes;
- one variation selector (or combining grapheme joiner) right after the character it modifies
  ("❤️", "1️⃣", CJK variants); a run of them, or one after nothing, goes.

Tag characters go too: they spell invisible ASCII a model reads (the subdivision flags made of
them show as a plain black flag).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

ZWNJ, ZWJ = "\u200c", "\u200d"
# Uncased letters, marks and symbols: the neighbours a kept joiner needs on both sides.
_JOINABLE = frozenset({"Lo", "Lm", "Mn", "Mc", "Me", "So", "Sk"})
_HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"
# Variation selectors (standard, Mongolian, ideographic) and the combining grapheme joiner.
_SELECTORS = "\u034f\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef"
_SELECTOR = re.compile(f"[{_SELECTORS}]")
# Where format characters are: planes 0, 1 and 14 (2 and 3 hold ideographs, 15 and 16 private
# use), so the scan stays small.
_PLANES = (range(0x10000), range(0x10000, 0x20000), range(0xE0000, 0xE1000))


@cache
def _run() -> re.Pattern[str]:
    """A run of invisible characters (format characters, fillers, selectors); built once, from
    the running Python's Unicode data so a new format character is covered too."""
    formats = [chr(c) for plane in _PLANES for c in plane if unicodedata.category(chr(c)) == "Cf"]
    chars = "".join(re.escape(c) for c in formats) + _HANGUL_FILLERS + _SELECTORS
    return re.compile(f"[{chars}]+")


def _kept(text: str, run: re.Match[str], joiners: bool) -> str:
    """What of one run of invisible characters stays (see the module docstring)."""
    before = text[run.start() - 1] if run.start() else ""
    after = text[run.end()] if run.end() < len(text) else ""
    kept = ""
    base = bool(before) and not before.isspace()
    if joiners and base and _SELECTOR.match(run.group()):
        kept = run.group()[0]  # one selector on the character before it
    last = run.group()[-1]
    joinable = [unicodedata.category(c) in _JOINABLE for c in (kept or before, after) if c]
    if (
        joiners
        and last in (ZWJ, ZWNJ)
        and len(run.group()) - len(kept) == 1
        and len(joinable) == 2
        and all(joinable)
    ):
        kept += last
    return kept


def visible(text: str, *, joiners: bool = True) -> str:
    """`text` without its invisible characters; with `joiners=False` the joiners and selectors
    real text needs go too (for comparing texts, where they must not make a difference)."""
    if text.isascii():
        return text
    return _run().sub(lambda m: _kept(text, m, joiners), text)
