"""Checks on model-written prose a reader would throw back: talk about "the article" instead of
the event, a sentence that repeats another, one cut off at its length bound, and framing lines
that say nothing ("neutral", "without any bias", "presents a summary").

Each returns the reason a sentence is rejected, or '' when it passes, so a re-ask can tell the
model exactly what to fix.
"""

from __future__ import annotations

import re

from ..text.numbers import human, unsupported
from ..text.sentences import content_words, vocabulary
from ..text.voice import unquoted
from .verify import normalize

_META = re.compile(
    r"\b(?:the|this|that|each|both|these|an?)\s+(?:article|articles|author|authors|outlet|"
    r"outlets|piece|writer|blog)\b|\b(?:the|this)\s+report\s+says\b"
    r"|\b(?:provides?|presents?|offers?|gives?)\s+(?:an?\s+)?(?:comprehensive\s+|brief\s+|"
    r"detailed\s+|neutral\s+)?(?:overview|summary|account)\b"
    r"|\b(?:discusses|highlights|emphasi[sz]es|focuses on)\b",
    re.I,
)
_BOILERPLATE = re.compile(
    r"\b(?:neutral|unbiased|objective|impartial|balanced|without\s+(?:any\s+)?bias)\b"
    r"|\b(?:presents?|provides?|offers?|gives?)\s+(?:an?\s+)?(?:comprehensive\s+|neutral\s+|"
    r"brief\s+|detailed\s+)?(?:summary|overview|account)\b"
    r"|\b(?:the|this)\s+article\s+(?:discusses|presents|provides|reports|covers|describes)\b",
    re.I,
)
_WORDS = re.compile(r"[^\W_][\w'’-]*")
_ENDS = (".", "!", "?", '"', "”", "’", "'", ")")
NEAR_DUPLICATE = 0.6  # content-word Jaccard at or above which two sentences say the same
CONTAINED = 0.8  # share of the shorter sentence's content words the longer one holds


def meta(text: str) -> str:
    """Why `text` talks about the coverage instead of the event ('' when it does not)."""
    m = _META.search(text)
    return f"it talks about '{m.group(0)}' instead of stating what happened" if m else ""


def boilerplate(text: str) -> str:
    """Why a framing line says nothing about how the outlet told the story ('' when fine)."""
    m = _BOILERPLATE.search(text)
    return f"'{m.group(0)}' says nothing about how the outlet told the story" if m else ""


def cut(text: str, limit: int) -> str:
    """Why `text` reads as cut off: it hit its length bound or has no sentence end."""
    stripped = text.rstrip()
    if stripped.endswith(("…", "...")):
        return "it ends in '…'"
    if len(stripped) >= limit - 2:
        return f"it hit the {limit}-character limit"
    if not stripped.endswith(_ENDS):
        return "it does not end as a sentence"
    return ""


def similarity(a: str, b: str) -> tuple[float, float]:
    """Content-word Jaccard of two sentences, and the share of the shorter one's content words
    the other holds."""
    wa, wb = set(content_words(a)), set(content_words(b))
    if not wa or not wb:
        return 0.0, 0.0
    shared = len(wa & wb)
    return shared / len(wa | wb), shared / min(len(wa), len(wb))


def near_duplicate(text: str, others: list[str]) -> str:
    """Why `text` repeats one of `others` ('' when it says something new)."""
    for other in others:
        jaccard, contained = similarity(text, other)
        if jaccard >= NEAR_DUPLICATE or contained >= CONTAINED:
            return f"it repeats '{other[:80]}'"
    return ""


_LEANS = re.compile(
    r"^\W*(?:it|its|they|their|them|he|his|him|she|her|this|that|these|those|such|"
    r"but|and|also|so|yet|meanwhile|however|still|in (?:summary|conclusion|short)|to sum up)\b",
    re.I,
)
# "Why it matters: ...", "State of play: ...": a section label glued to the sentence.
_LABELLED = re.compile(r"^\W*([A-Z][\w'’ -]{2,30}):\s")


def dangling(text: str) -> str:
    """Why `text` cannot be read apart from its article ('' when it can): it opens with a
    quotation, or with a word pointing back at what came before ("It", "They", "But")."""
    stripped = text.lstrip()
    if stripped[:1] in ('"', "“", "‘", "'"):
        return "it opens with a quotation"
    if m := _LEANS.match(stripped):
        return f"it opens with '{m.group(0).strip()}', which points back at a sentence not shown"
    if m := _LABELLED.match(stripped):
        return f"it opens with the section label '{m.group(1)}:'"
    return ""


# "US" in capitals is the country; "I" after "War" or before "." is a numeral or a label.
_FIRST_PERSON = re.compile(r"\b(?:I(?![.)])|[Mm]e|[Mm]y|[Ww]e|us|[Oo]urs?)\b")


def first_person(text: str) -> str:
    """Why `text` speaks as someone outside quotation marks ('' when it does not): a summary
    copying "Relations between our countries ..." without its quotation marks or speaker."""
    words = unquoted(text)
    for m in _FIRST_PERSON.finditer(words):
        if not words[max(0, m.start() - 4) : m.start()].endswith("War "):
            return f"it says '{m.group(0)}' outside quotation marks: someone's words as a fact"
    return ""


def unsupported_numbers(text: str, cited: list[str]) -> str:
    """Why `text` states a number none of the `cited` (normalized) article texts state."""
    missing = unsupported(normalize(text), cited)
    return (
        f"it states {', '.join(human(n) for n in missing)}, not in its outlets" if missing else ""
    )


UNGROUNDED = 0.3  # share of a sentence's content words its outlets never use that rejects it
UNGROUNDED_MIN = 3  # ... when at least this many


def ungrounded(text: str, cited: list[str]) -> str:
    """Why `text` says more than its outlets do ('' when it does not): a good share of its
    content words ("underscores the need for transparency") appears in none of the `cited`
    article texts. A paraphrase swaps a word or two; an added judgement brings several."""
    said = frozenset().union(*(vocabulary(t) for t in cited))
    words = list(dict.fromkeys(_WORDS.findall(text)))
    new = [w for w in words if (stems := content_words(w)) and not set(stems) <= said]
    stated = {w for w in content_words(text)}
    if len(new) >= UNGROUNDED_MIN and len(new) >= UNGROUNDED * max(1, len(stated)):
        return f"it says what its outlets do not ({', '.join(new[:6])})"
    return ""


ON_TOPIC = 0.5  # share of a sentence's content words its own sources must hold


def strays(text: str, sources: list[str]) -> str:
    """Why `text` does not restate its own sources ('' when it does): a small model writing
    several sentences at once slips one fact into the next one's place."""
    words = set(content_words(text))
    held = words & frozenset().union(*(vocabulary(s) for s in sources))
    if words and len(held) < ON_TOPIC * len(words):
        return "it does not state the fact of its own group's sentences"
    return ""


def names_label(text: str, labels: list[str]) -> str:
    """Why `text` names a prompt's own label ("A2", "G3") instead of what it stands for."""
    for label in labels:
        if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", text):
            return f"it names the label {label}"
    return ""
