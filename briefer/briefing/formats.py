"""A briefing in one of the formats a reader asks for: md, json or html."""

from __future__ import annotations

from typing import Literal

from ..schemas import Briefing
from .render import to_json, to_markdown

Format = Literal["md", "json", "html"]
FORMATS: tuple[Format, ...] = ("md", "json", "html")


def rendered(b: Briefing, fmt: Format, *, back: tuple[str, str] | None = None) -> str:
    """The briefing as `fmt`; `back` links an HTML page to the page listing it."""
    if fmt == "json":
        return to_json(b)
    if fmt == "html":
        from .html import to_html  # Jinja2 loads only for a page (a cached re-run stays fast)

        return to_html(b, back=back)
    return to_markdown(b)
