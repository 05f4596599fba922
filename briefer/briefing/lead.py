"""What an outlet puts first: the lead, its first sentence of reporting.

Skipped on the way: the headline repeated as a line, section labels ("China News"), photo
captions and credits ("Photo: …", "… | Afp | Getty Images", "In this pool photograph …"),
datelines and timestamps, bylines: lines that do not state a fact.
"""

from __future__ import annotations

import re

from ..checks.sentences import content_words, split_sentences
from .align import is_statement

LEAD_WORDS = 45
_NOT_REPORTING = re.compile(
    r"^(?:photo|image|picture|credit|source)s?\s*(?:[:/|-]|by\b|credits?\b)"
    r"|^(?:by|posted|published|updated)\b|\||getty images|"
    r"\bphotograph(?:ed)? (?:distributed|taken|provided)\b|^\W*(?:read more|subscribe)\b",
    re.I,
)


def lead_sentence(text: str, title: str) -> str:
    """The article's first sentence that states something, clipped to LEAD_WORDS words."""
    # A title cut from the text's own first line ("..."; ingest) is that line, not a headline.
    cut_from_text = title.rstrip().endswith(("...", "…"))
    headline = set() if cut_from_text else set(content_words(title))
    for s in split_sentences(text):
        if not is_statement(s.text) or _NOT_REPORTING.search(s.text):
            continue
        words = set(content_words(s.text))
        if headline and words and len(words & headline) >= 0.8 * len(words):
            continue  # the headline again
        parts = s.text.split()
        return s.text if len(parts) <= LEAD_WORDS else " ".join(parts[:LEAD_WORDS]) + " …"
    return ""
