"""Untrusted text as Markdown: one line of literal text, and link targets that stay one link.

Titles, outlet names, paths, skip reasons and model text come from feeds, files and the model.
Rendered raw they could open a heading, a list item, a table, a link or raw HTML, or forge a
whole section of the briefing. Every renderer puts such text through `inline` (and a link
target through `link_target`), so the rules live here once.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote

# Significant anywhere on a line: emphasis, code, links and images, tables, strikethrough.
_ANYWHERE = re.compile(r"([\\`*\[\]|!~])")
# '_' opens or closes emphasis unless it sits between two letters or digits (file_name_1).
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# Significant at the start of a line: headings, list items, setext underlines.
_LEADING = re.compile(r"^([#+=-])")
# An ordered-list marker at the start of a line: "1." or "1)".
_ORDERED = re.compile(r"^(\d{1,9})([.)])")
# A '#' after a space can close an ATX heading ("### Title #" renders as "Title").
_CLOSING_HASH = re.compile(r"(?<= )#")


def _one_line(text: str) -> str:
    """Control characters dropped, every run of whitespace (any Unicode line or paragraph
    separator, tab, form feed, NEL...) made one space, ends stripped."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def inline(text: str) -> str:
    """Untrusted text as one line of literal Markdown text: it renders as the text it is and
    can never start a block, a link, an image, code, emphasis or raw HTML."""
    text = _UNDERSCORE.sub(r"\\_", _ANYWHERE.sub(r"\\\1", _one_line(text)))
    text = html.escape(text, quote=False)  # & < > : no entity, no tag, no blockquote
    text = _CLOSING_HASH.sub(r"\\#", text)
    return _ORDERED.sub(r"\1\\\2", _LEADING.sub(r"\\\1", text))


def link_target(target: str) -> str:
    """A relative link target that stays one target: everything but letters, digits, '/' and
    '-._~' is percent-encoded (spaces, parentheses, '<', ':' and so on), so no scheme such as
    javascript: survives and the link cannot end early."""
    return quote(_one_line(target), safe="/")
