"""Shortening text for a prompt, a label or a line of the briefing: one helper, so every cut
ends the same way ("…", on a word boundary, never after "the" or a comma)."""

from __future__ import annotations

ELLIPSIS = "…"
_TRAILING_PUNCT = ",;:–—-(/&"
_WEAK_ENDS = frozenset(
    """
    a an the and or but nor of to in on at by for from with amid as into over than that which
    who its their his her
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def clip(text: str, words: int, chars: int = 1_000_000) -> str:
    """`text` on one line, cut on a word boundary to at most `words` words and about `chars`
    characters, ending in "…" when cut (no dangling "and", "the", comma or colon before it)."""
    tokens = text.split()
    if len(tokens) <= words and len(" ".join(tokens)) <= chars:
        return " ".join(tokens)
    kept: list[str] = []
    for token in tokens[:words]:
        if kept and len(" ".join([*kept, token])) > chars:
            break
        kept.append(token)
    if len(kept) == 1 and len(kept[0]) > chars:
        return kept[0][: chars - 1] + ELLIPSIS  # one long token: a URL, a CJK sentence
    while len(kept) > 1 and kept[-1].strip(_TRAILING_PUNCT).lower() in _WEAK_ENDS | {""}:
        kept.pop()
    return " ".join(kept).rstrip(_TRAILING_PUNCT + " ") + ELLIPSIS
