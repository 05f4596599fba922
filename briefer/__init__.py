"""briefer: a briefing a busy reader can trust, from a pile of news articles about one story.

The public API, for users, the benchmarks and daily runs alike:

    from briefer import brief, resolve
    briefing = brief([Path("articles/")], resolve({}, None))

Each name loads on first use (PEP 562): `import briefer`, which every command and
`briefer --help` pay for, stays as light as the version lookup, while the run's modules (the
model client, the tokenizer, the steps) load only when a caller reaches for them.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("briefer")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"

if TYPE_CHECKING:  # the same names, eagerly, for the type checker only
    from .errors import BrieferError
    from .ingest.files import Article
    from .pipeline.estimate import Estimate, estimate
    from .pipeline.run import brief, brief_articles
    from .schemas.briefing import Briefing
    from .settings import Home, Settings, find_home, resolve

# name -> the module that defines it
_HOMES = {
    "brief": "briefer.pipeline.run",
    "brief_articles": "briefer.pipeline.run",
    "estimate": "briefer.pipeline.estimate",
    "Estimate": "briefer.pipeline.estimate",
    "Article": "briefer.ingest.files",
    "Briefing": "briefer.schemas.briefing",
    "BrieferError": "briefer.errors",
    "Settings": "briefer.settings",
    "Home": "briefer.settings",
    "resolve": "briefer.settings",
    "find_home": "briefer.settings",
}

__all__ = [
    "Article",
    "BrieferError",
    "Briefing",
    "Estimate",
    "Home",
    "Settings",
    "__version__",
    "brief",
    "brief_articles",
    "estimate",
    "find_home",
    "resolve",
]


def __getattr__(name: str) -> Any:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module 'briefer' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
