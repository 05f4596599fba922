"""An independent judge of rendered Markdown: markdown-it-py (CommonMark plus GFM tables and
strikethrough) parses it, and tests compare the token structure, never briefer's own output."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Tokens untrusted text must never produce: live HTML, links, images, code, emphasis, tables.
FORBIDDEN = {
    "html_block",
    "html_inline",
    "link_open",
    "image",
    "code_inline",
    "code_block",
    "fence",
    "em_open",
    "strong_open",
    "s_open",
    "table_open",
    "blockquote_open",
    "hr",
    "hardbreak",
    "softbreak",
}


def parse(markdown: str) -> list[Token]:
    return _PARSER.parse(markdown)


def block_types(markdown: str) -> list[str]:
    """The document's block structure: headings, lists, paragraphs... in order."""
    return [t.type for t in parse(markdown) if t.type != "inline"]


def inline_types(markdown: str) -> list[str]:
    """Every inline token type, in order, of every block."""
    return [c.type for t in parse(markdown) for c in t.children or []]


def _shown(token: Token) -> str:
    return "".join(c.content for c in token.children or [] if c.type == "text")


def headings(markdown: str) -> list[str]:
    """Each heading's text as the reader sees it."""
    tokens = parse(markdown)
    return [_shown(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]


def text_of(markdown: str) -> str:
    """The literal text the reader sees (escapes and entities resolved)."""
    return "".join(_shown(t) for t in parse(markdown))


def links(markdown: str) -> list[str]:
    return [
        str(c.attrs.get("href", ""))
        for t in parse(markdown)
        for c in t.children or []
        if c.type == "link_open"
    ]
