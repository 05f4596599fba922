"""Pages from templates: one Jinja2 environment that escapes everything it is given.

Every string from an article, a feed, a path or the model reaches a page only through a
template with autoescape on, never by concatenation. The pages are self-contained: their one
stylesheet is inlined, and a Content-Security-Policy forbids every script (inline event
handlers included), every remote load, forms and a changed base URL; the stylesheet is let
through by its hash, so not even an injected `<style>` would apply.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

STYLESHEET = "report.css"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("briefer.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["web_link"] = web_link
    return env


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return resources.files("briefer.render").joinpath("templates", STYLESHEET).read_text("utf-8")


def policy(css: str) -> str:
    """The page's Content-Security-Policy: nothing runs or loads but this stylesheet."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; "
        "script-src 'none'; base-uri 'none'; form-action 'none'"
    )


def web_link(url: str | None) -> str | None:
    """`url` when it is an http(s) address a reader may follow, else None (javascript:,
    data:, file: and anything unparsable are shown as text, never linked)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def page(template: str, **context: Any) -> str:
    """Render `template` (under briefer/render/templates) as a self-contained page."""
    css = _stylesheet()
    html = _environment().get_template(template).render(css=Markup(css), csp=policy(css), **context)
    return html.rstrip() + "\n"
