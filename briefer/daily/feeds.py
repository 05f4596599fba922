"""Feeds and pages: RSS/Atom feeds through feedparser, pages through the same extraction as
HTML files (trafilatura), over one HTTP client with a User-Agent that says who is asking.

The open web is hostile: the client reaches public addresses only (see `safehttp`; private
ones only for the origins the config names), follows at most a few redirects (each one checked
again), and a whole download, not just each read, must finish within the timeout. Every
failure (a malformed URL, a dead feed, a 404 page, a refused address, a page that drips too
slowly, a page with no article) becomes a Skipped entry naming the URL and the reason: one bad
source never stops a scheduled run.
"""

from __future__ import annotations

import calendar
import math
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser  # type: ignore[import-untyped]
import httpx2
from pydantic import BaseModel, Field

from .. import __version__
from ..ingest.charset import declared_charset, decode
from ..ingest.files import Article, read_page
from ..schemas.briefing import Skipped
from . import safehttp

USER_AGENT = f"briefer/{__version__} (+https://github.com/briefer)"
MAX_BYTES = 5_000_000  # larger than any article page; a bigger body is something else
MAX_REDIRECTS = 5
_HTML_TYPES = ("text/html", "application/xhtml+xml")
OUT_OF_TIME = "not read: the gather step ran out of time (gather_timeout)"


class FetchError(Exception):
    """A download that failed, with a one-line reason for the index."""


class Gathered(BaseModel):
    """What the sources of one run gave: usable articles in source order, what was skipped and
    why, and how many entries or files were older than the time window."""

    articles: list[Article] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    too_old: int = 0


def client(timeout: float, *, private: Iterable[safehttp.Origin] = ()) -> httpx2.Client:
    """The HTTP client for feeds and pages: public addresses only (but for the `private`
    origins), `timeout` seconds per download, a few checked redirects, a named agent, no
    proxies."""
    return httpx2.Client(
        transport=safehttp.GuardedTransport(private=private),
        timeout=timeout,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,
        headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
    )


class Page(BaseModel):
    """A downloaded body with what is needed to read it."""

    body: bytes
    content_type: str
    charset: str | None

    def text(self) -> tuple[str, str]:
        """The body as text and the encoding it was read with: UTF-8, else the charset the
        server or the page declares (if the bytes fit it), else a detected one, as for files.
        Raises ValueError for a body that is not text."""
        return decode(self.body, self.charset or declared_charset(self.body))


def _whole_download_seconds(http: httpx2.Client) -> float:
    """The client's timeout, which bounds a whole download here, not each read."""
    return http.timeout.read or math.inf


def _timeout_reason(exc: Exception, at: float, until: float, budget: float) -> str:
    if time.monotonic() + 0.05 < at:  # a read with its own, shorter timeout gave up
        return f"timed out ({type(exc).__name__})"
    if at >= until:
        return OUT_OF_TIME
    return f"timed out: the whole download took longer than {budget:g} s"


def download(http: httpx2.Client, url: str, *, until: float = math.inf) -> Page:
    """GET a URL or raise FetchError saying why (malformed, status, refused, timeout, too
    large).

    The whole download (connect, redirects, headers, body) ends within the client's timeout,
    and by `until` (a time.monotonic() value) at the latest.
    """
    budget = _whole_download_seconds(http)
    at = min(time.monotonic() + budget, until)
    try:
        safehttp.web_url(url)  # before the client, which raises or drops the scheme
        with safehttp.deadline(at), http.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code}")
            body = b""
            for part in resp.iter_bytes():
                body += part
                if len(body) > MAX_BYTES:
                    raise FetchError(f"larger than {MAX_BYTES // 1_000_000} MB")
            kind = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            return Page(body=body, content_type=kind, charset=resp.charset_encoding)
    except safehttp.Refused as exc:
        raise FetchError(f"refused: {exc}") from exc
    except (httpx2.TimeoutException, safehttp.DeadlinePassed) as exc:
        raise FetchError(_timeout_reason(exc, at, until, budget)) from exc
    except (httpx2.HTTPError, httpx2.InvalidURL) as exc:  # InvalidURL: not an HTTPError
        raise FetchError(f"cannot fetch ({type(exc).__name__}: {exc})") from exc


def fetch_page(
    http: httpx2.Client,
    url: str,
    *,
    outlet: str | None = None,
    title: str | None = None,
    date: str | None = None,
    until: float = math.inf,
) -> Article:
    """One page as an Article; raises FetchError when it cannot be used."""
    page = download(http, url, until=until)
    kind = page.content_type
    if kind and kind not in _HTML_TYPES and kind != "text/plain":
        raise FetchError(f"not an article page (content type {kind})")
    try:
        content, encoding = page.text()
        return read_page(
            content,
            url,
            html=kind != "text/plain",
            outlet=outlet,
            title=title,
            date=date,
            encoding=encoding,
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
    link: str  # as the feed wrote it (made absolute); "" when the feed's link was unusable
    title: str | None
    published: datetime | None


NO_LINK = "feed: an entry's link is not a usable URL"


def _absolute(link: str, base: str) -> str:
    """`link` resolved against the feed's URL; one that cannot be resolved is kept as written,
    so that download() refuses it with its reason and the skip list shows it."""
    try:
        return urljoin(base, link.strip())
    except ValueError:
        return link


def parse_feed(body: bytes, url: str, limit: int) -> tuple[str | None, list[Entry]]:
    """The feed's title and up to `limit` entries with links; raises FetchError if not a feed.

    Links are resolved here, not by feedparser: it turns a link it cannot resolve into "",
    which would hide it; only an unusable xml:base still can (the entry's link is then "").
    """
    parsed = feedparser.parse(body)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        why = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise FetchError(f"not an RSS or Atom feed ({why})")
    feed_title = parsed.feed.get("title") or None
    entries = []
    for e in parsed.entries[:limit]:
        link = e.get("link")
        if link or e.get("links"):  # a link element with nothing usable in it: listed
            entries.append(
                Entry(
                    link=_absolute(link, url) if link else "",
                    title=e.get("title") or None,
                    published=_entry_time(e),
                )
            )
    return feed_title, entries


def _feed_articles(
    http: httpx2.Client, url: str, since: datetime | None, limit: int, out: Gathered, until: float
) -> Iterator[Article]:
    try:
        title, entries = parse_feed(download(http, url, until=until).body, url, limit)
    except FetchError as exc:
        out.skipped.append(Skipped(path=url, reason=f"feed: {exc}"))
        return
    for entry in entries:
        if since is not None and entry.published is not None and entry.published < since:
            out.too_old += 1
            continue
        if not entry.link:
            out.skipped.append(Skipped(path=url, reason=NO_LINK))
            continue
        if time.monotonic() >= until:
            out.skipped.append(Skipped(path=entry.link, reason=OUT_OF_TIME))
            continue
        try:
            yield fetch_page(
                http,
                entry.link,
                outlet=title,
                title=entry.title,
                date=entry.published.isoformat() if entry.published else None,
                until=until,
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
    private: Iterable[safehttp.Origin] = (),
    until: float = math.inf,
) -> Gathered:
    """Every feed's recent entries and every single page, in config order.

    Entries dated before `since` are counted and dropped; undated ones are kept (the dedupe
    store keeps them from being briefed twice). Single URLs are always fetched. Once `until`
    (a time.monotonic() value) has passed, the sources not yet fetched are skipped. Only the
    `private` origins may be on private addresses (see `safehttp`).
    """
    out = Gathered()
    own = http is None
    http = http or client(timeout, private=private)
    try:
        for feed in feeds:
            if time.monotonic() >= until:
                out.skipped.append(Skipped(path=feed, reason=f"feed: {OUT_OF_TIME}"))
                continue
            out.articles.extend(_feed_articles(http, feed, since, max_per_feed, out, until))
        for url in urls:
            if time.monotonic() >= until:
                out.skipped.append(Skipped(path=url, reason=OUT_OF_TIME))
                continue
            try:
                out.articles.append(fetch_page(http, url, until=until))
            except FetchError as exc:
                out.skipped.append(Skipped(path=url, reason=str(exc)))
    finally:
        if own:
            http.close()
    return out
