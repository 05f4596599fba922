"""The tests' own judge of "verbatim", independent of briefer.checks.verify.

A bug in briefer's quote check must not be able to approve its own output, so this is written
apart from it: fold only the marks a faithful copy may change (a quote inside a quote turns
“ ” into ' ', dashes, case, runs of spaces), then look the quote up as plain substrings.
"""

from __future__ import annotations

import re

from briefer.schemas.briefing import Briefing

_FOLD = str.maketrans({**dict.fromkeys('"“”‘’', "'"), **dict.fromkeys("–—", "-")})


def folded(text: str) -> str:
    return " ".join(text.translate(_FOLD).casefold().split())


def named_in(who: str, text: str) -> bool:
    """Every word of a speaker's name or role stands in the text: no invented attribution."""
    words = set(re.findall(r"[\w'-]+", folded(text)))
    return all(w in words for w in re.findall(r"[\w'-]+", folded(who)))


def verbatim_in(quote: str, article: str) -> bool:
    """Every piece of `quote` between '...' ellipses stands in the article text, in order."""
    text, at = folded(article), 0
    pieces = [p.strip(" .,;:'") for p in re.split(r"\.\.\.|…", folded(quote))]
    for piece in filter(None, pieces):
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return any(pieces)


def shown_quotes(b: Briefing) -> list[tuple[str, str]]:
    """(article id, quote) for every quote a reader sees."""
    out = [(o.article_id, q.quote) for o in b.outlets for q in o.quoted_sources]
    out += [(o.article_id, w.quote) for o in b.outlets for w in o.loaded_wording]
    out += [(s.article_id, s.quote) for c in b.contradictions for s in c.sides]
    return out
