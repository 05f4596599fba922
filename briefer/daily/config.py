"""The daily config file (briefer.toml): what to read, where to write, how long to keep it.

One file drives a scheduled run, so a mistake in it must say which key on which line is wrong
instead of failing at 6 a.m. with a traceback. Relative paths resolve against the file's folder,
so the same file works from cron, systemd and a shell.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .. import settings as settings_mod
from ..errors import ConfigError
from ..render.formats import Format
from ..settings import Settings, StructuredMode
from . import safehttp
from .grouping import DEFAULT_THRESHOLD


def _check_url(value: str) -> str:
    """A feed or page URL the fetcher will take (the same check as for every link it meets)."""
    url = value.strip()
    try:
        safehttp.web_url(url)
    except safehttp.BadURL as exc:
        raise ValueError(f"{value!r} is {exc}") from exc
    return url


Url = Annotated[str, AfterValidator(_check_url)]


class Sources(BaseModel):
    """Where the day's articles come from; every kind is optional, at least one is needed."""

    model_config = ConfigDict(extra="forbid")

    folders: list[str] = Field(default_factory=list)
    globs: list[str] = Field(default_factory=list)
    feeds: list[Url] = Field(default_factory=list)
    urls: list[Url] = Field(default_factory=list)

    def empty(self) -> bool:
        return not (self.folders or self.globs or self.feeds or self.urls)


class ModelSection(BaseModel):
    """The `[model]` table: the same settings as flags and config.toml, minus the key."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    base_url: str | None = None
    concurrency: int | None = Field(default=None, ge=1, le=64)
    structured_output: StructuredMode | None = None
    context_window: int | None = Field(default=None, ge=1024)
    seed: int | None = None
    timeout: float | None = Field(default=None, gt=0)
    extra_body: dict[str, Any] | None = None
    cache: bool | None = None
    max_article_tokens: int | None = Field(default=None, ge=1)
    max_articles: int | None = Field(default=None, ge=1)
    # Not a Settings field: which embedded model to serve when no key or endpoint is set.
    local_model: str | None = None

    def settings_layer(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, exclude={"local_model"})


class DailyConfig(BaseModel):
    """A validated briefer.toml with every path made absolute."""

    model_config = ConfigDict(extra="forbid")

    output: Path
    formats: list[Format] = Field(["md"], min_length=1)
    window_hours: float = Field(24.0, gt=0)
    keep_days: int = Field(30, ge=0)
    group_threshold: float = Field(DEFAULT_THRESHOLD, gt=0, le=1)
    min_outlets: int = Field(2, ge=2)
    fetch_timeout: float = Field(20.0, gt=0)
    gather_timeout: float = Field(600.0, gt=0)
    max_per_feed: int = Field(50, ge=1)
    # The origins (host and port) that may be on loopback, LAN or link-local addresses (e.g. a
    # feed server at home): true names those of `feeds` and `urls`, a list names them itself.
    # No other origin, not an entry link nor a redirect, may reach 127.0.0.1 or 169.254.169.254.
    allow_private_addresses: bool | list[str] = False
    sources: Sources
    model: ModelSection = ModelSection()

    def private_origins(self) -> frozenset[safehttp.Origin]:
        """The origins allowed on private addresses (see `allow_private_addresses`)."""
        if self.allow_private_addresses is True:
            return safehttp.origins([*self.sources.feeds, *self.sources.urls])
        if self.allow_private_addresses is False:
            return frozenset()
        return frozenset().union(*map(safehttp.host_origins, self.allow_private_addresses))

    @field_validator("allow_private_addresses", mode="before")
    @classmethod
    def _private_hosts(cls, value: object) -> object:
        """true, false or a list of hosts, each checked (one message, not one per union arm)."""
        if isinstance(value, bool):
            return value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError('should be true, false or a list of hosts like ["192.168.1.10:8080"]')
        for host in value:
            try:
                safehttp.host_origins(host.strip())
            except safehttp.BadURL as exc:
                raise ValueError(f"{host!r} is {exc}") from exc
        return [host.strip() for host in value]

    @field_validator("formats")
    @classmethod
    def _unique(cls, values: list[Format]) -> list[Format]:
        return list(dict.fromkeys(values))

    @model_validator(mode="after")
    def _has_sources(self) -> DailyConfig:
        if self.sources.empty():
            raise ValueError("[sources] needs at least one of folders, globs, feeds or urls")
        return self


_TOP_KEYS = set(DailyConfig.model_fields)
_TABLE_KEYS = {"sources": set(Sources.model_fields), "model": set(ModelSection.model_fields)}
_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-\"]+)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def _line_of(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The line where the key at `loc` is set (best effort: plain `[table]` + `key =` lines)."""
    keys = [str(p) for p in loc if isinstance(p, str)]
    if not keys:
        return None
    table, key = ".".join(keys[:-1]), keys[-1]
    current = ""
    for n, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = header.group(1).replace('"', "")
            if not table and current == key:
                return n
            continue
        m = _KEY.match(line)
        if m and m.group(1) == key and current == table:
            return n
    return None


def _describe(err: Any, text: str, path: Path) -> str:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    where = ""
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else part)
    line = _line_of(text, loc)
    at = f"{path}: line {line}" if line else str(path)
    if err["type"] == "extra_forbidden":
        name = str(loc[-1])
        parent = str(loc[-2]) if len(loc) > 1 else ""
        if parent == "model" and name == "api_key":
            return (
                f"{at}: keep the API key out of {path.name}: put OPENAI_API_KEY=... in the "
                "environment file instead (see `briefer schedule`)."
            )
        known = _TABLE_KEYS.get(parent, _TOP_KEYS)
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = (
            f"; did you mean {close[0]!r}?"
            if close
            else f"; known keys: {', '.join(sorted(known))}."
        )
        return f"{at}: unknown key {where!r}{hint}"
    if err["type"] == "missing":
        return f"{at}: missing key {where!r}; `briefer init` writes a commented example."
    msg = str(err["msg"]).removeprefix("Value error, ")
    if not where:
        return f"{at}: {msg}."
    return f"{at}: {where}: {msg}."


def load(path: Path) -> DailyConfig:
    """Read and validate briefer.toml; errors name the file, the key and, where known, the line."""
    path = path.expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: config file not found; `briefer init {path}` writes one."
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc}).") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}.") from exc
    try:
        cfg = DailyConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc.errors()[0], text, path)) from exc
    base = path.resolve().parent

    def absolute(p: str | Path) -> Path:
        q = Path(p).expanduser()
        return q if q.is_absolute() else base / q

    sources = cfg.sources.model_copy(
        update={
            "folders": [str(absolute(f)) for f in cfg.sources.folders],
            "globs": [str(absolute(g)) for g in cfg.sources.globs],
        }
    )
    return cfg.model_copy(update={"output": absolute(cfg.output), "sources": sources})


def model_settings(cfg: DailyConfig, flags: dict[str, Any] | None = None) -> Settings:
    """Settings for a daily run: flag > environment > the `[model]` table > config.toml."""
    return settings_mod.resolve(flags, above_file=cfg.model.settings_layer())


EXAMPLE = """\
# briefer.toml: the daily briefing run (`briefer daily --config briefer.toml`).
# Relative paths are relative to this file's folder. Every key but `output` and one source
# is optional; the values shown are the defaults.

# Where briefings go: OUTPUT/YYYY-MM-DD/<story>.html (and .md), plus an index per day.
output = "briefings"
# html: a page per story, a page per day and OUTPUT/index.html listing the days (open it, or
# serve the folder: python3 -m http.server --directory briefings); md for people in a
# terminal; json for tools. Any of them (the default is md alone).
formats = ["html", "md"]
# Only articles from the last N hours (feed entry dates, file modification times).
window_hours = 24
# Delete dated folders older than this many days (0 keeps everything).
keep_days = 30
# Articles whose TF-IDF similarity reaches this are one story (0 to 1; higher splits more).
group_threshold = 0.15
# A story is briefed when this many different outlets cover it; the rest are listed only.
min_outlets = 2
# Seconds for a whole feed or page download, and at most this many entries per feed.
fetch_timeout = 20
max_per_feed = 50
# Seconds for reading every source; what is not read by then is skipped and listed.
gather_timeout = 600
# Feeds and pages are fetched from public internet addresses only. true lets the hosts of
# the feeds and urls below (host and port) be on loopback, private or link-local addresses (a
# feed server on your own network); a list names such hosts instead, e.g.
# ["192.168.1.10:8080"]. Links and redirects to any other host are still public only.
allow_private_addresses = false

[sources]
# Folders of .txt, .md and .html articles (read recursively; a sources.toml inside names
# outlets), glob patterns, RSS or Atom feeds, and single pages.
folders = ["articles"]
# globs = ["clippings/**/*.html"]
# feeds = ["https://example.com/world/rss.xml"]
# urls = ["https://example.com/2026/03/10/some-story"]

[model]
# The same settings as `briefer brief` flags; the environment and flags still win.
# The API key never goes here: put OPENAI_API_KEY=... in ~/.config/briefer/env.
# With no key and no base_url, briefer serves its embedded local model (the `local` extra).
# model = "gpt-4.1-mini"
# base_url = "http://127.0.0.1:8080/v1"
# concurrency = 4
# context_window = 8192
# local_model = "default"
# Articles longer than this many model tokens (after clean-up) are skipped and listed.
# max_article_tokens = 30000
# A story of more articles than this fails (listed in the index) instead of being briefed.
# max_articles = 50
"""
