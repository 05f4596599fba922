"""A briefing in one of the formats a reader asks for: md, json or html."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from ..schemas.briefing import Briefing

# The one definition: the CLI's --format and the daily config's `formats` both take it, so this
# module imports nothing at load (`briefer --help` stays fast).
Format = Literal["md", "json", "html"]
FORMATS: tuple[Format, ...] = get_args(Format)


def rendered(b: Briefing, fmt: Format, *, back: tuple[str, str] | None = None) -> str:
    """The briefing as `fmt`; `back` links an HTML page to the page listing it."""
    from .render import to_json, to_markdown

    if fmt == "json":
        return to_json(b)
    if fmt == "html":
        from .html import to_html  # Jinja2 loads only for a page (a cached re-run stays fast)

        return to_html(b, back=back)
    return to_markdown(b)
