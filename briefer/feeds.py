"""Feeds and pages: RSS/Atom feeds through feedparser, pages through the same extraction as
HTML files (trafilatura), over one HTTP client with a timeout and a User-Agent that says who
is asking.

Every failure (a dead feed, a 404 page, a timeout, a page with no article) becomes a Skipped
entry naming the URL and the reason: one bad source never stops a scheduled run.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser  # type: ignore[import-untyped]
import httpx2
from pydantic import BaseModel, Field

from . import __version__
from .ingest import Article, Skipped, read_page

USER_AGENT = f"briefer/{__version__} (+https://github.com/briefer)"
MAX_BYTES = 5_000_000  # larger than any article page; a bigger body is something else
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class FetchError(Exception):
    """A download that failed, with a one-line reason for the index."""


class Fetched(BaseModel):
    """What the web sources of one run gave: articles, skipped URLs, entries outside the window."""

    articles: list[Article] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    too_old: int = 0


def client(timeout: float) -> httpx2.Client:
    """The HTTP client for feeds and pages: bounded time, redirects followed, named agent."""
    return httpx2.Client(
        timeout=timeout,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
    )


class Page(BaseModel):
    """A downloaded body with what is needed to read it."""

    body: bytes
    content_type: str
    charset: str | None

    def text(self) -> str:
        return self.body.decode(self.charset or "utf-8", errors="replace")


def download(http: httpx2.Client, url: str) -> Page:
    """GET a URL or raise FetchError saying why (status, timeout, refused, too large)."""
    try:
        with http.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code}")
            body = b""
            for part in resp.iter_bytes():
                body += part
                if len(body) > MAX_BYTES:
                    raise FetchError(f"larger than {MAX_BYTES // 1_000_000} MB")
            kind = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            return Page(body=body, content_type=kind, charset=resp.charset_encoding)
    except httpx2.TimeoutException as exc:
        raise FetchError(f"timed out ({type(exc).__name__})") from exc
    except httpx2.HTTPError as exc:
        raise FetchError(f"cannot fetch ({type(exc).__name__}: {exc})") from exc


def fetch_page(
    http: httpx2.Client,
    url: str,
    *,
    outlet: str | None = None,
    title: str | None = None,
    date: str | None = None,
) -> Article:
    """One page as an Article; raises FetchError when it cannot be used."""
    page = download(http, url)
    kind = page.content_type
    if kind and kind not in _HTML_TYPES and kind != "text/plain":
        raise FetchError(f"not an article page (content type {kind})")
    try:
        return read_page(
            page.text(), url, html=kind != "text/plain", outlet=outlet, title=title, date=date
        )
    except ValueError as exc:
        raise FetchError(str(exc)) from exc


def _entry_time(entry: Any) -> datetime | None:
    """The entry's publication (else update) time; feedparser gives UTC struct_time."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


class Entry(BaseModel):
    link: str
    title: str | None
    published: datetime | None


def parse_feed(body: bytes, url: str, limit: int) -> tuple[str | None, list[Entry]]:
    """The feed's title and up to `limit` entries with links; raises FetchError if not a feed."""
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if parsed.bozo and not parsed.entries:
        raise FetchError(f"not an RSS or Atom feed ({parsed.get('bozo_exception', 'unparsable')})")
    feed_title = parsed.feed.get("title") or None
    entries = []
    for e in parsed.entries[:limit]:
        link = e.get("link")
        if link:
            entries.append(Entry(link=link, title=e.get("title") or None, published=_entry_time(e)))
    return feed_title, entries


def _feed_articles(
    http: httpx2.Client, url: str, since: datetime | None, limit: int, out: Fetched
) -> Iterator[Article]:
    try:
        title, entries = parse_feed(download(http, url).body, url, limit)
    except FetchError as exc:
        out.skipped.append(Skipped(path=url, reason=f"feed: {exc}"))
        return
    for entry in entries:
        if since is not None and entry.published is not None and entry.published < since:
            out.too_old += 1
            continue
        try:
            yield fetch_page(
                http,
                entry.link,
                outlet=title,
                title=entry.title,
                date=entry.published.isoformat() if entry.published else None,
            )
        except FetchError as exc:
            out.skipped.append(Skipped(path=entry.link, reason=str(exc)))


def fetch_all(
    feeds: list[str],
    urls: list[str],
    *,
    since: datetime | None,
    timeout: float,
    max_per_feed: int = 50,
    http: httpx2.Client | None = None,
) -> Fetched:
    """Every feed's recent entries and every single page, in config order.

    Entries dated before `since` are counted and dropped; undated ones are kept (the dedupe
    store keeps them from being briefed twice). Single URLs are always fetched.
    """
    out = Fetched()
    own = http is None
    http = http or client(timeout)
    try:
        for feed in feeds:
            out.articles.extend(_feed_articles(http, feed, since, max_per_feed, out))
        for url in urls:
            try:
                out.articles.append(fetch_page(http, url))
            except FetchError as exc:
                out.skipped.append(Skipped(path=url, reason=str(exc)))
    finally:
        if own:
            http.close()
    return out
