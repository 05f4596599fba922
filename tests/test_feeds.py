"""Feeds and pages over a loopback server: entries become articles, old entries are dropped,
and every failure is a skipped source with its reason, never the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefer import __version__
from briefer.daily.feeds import (
    NO_LINK,
    USER_AGENT,
    FetchError,
    client,
    fetch_all,
    fetch_page,
    parse_feed,
)
from briefer.daily.safehttp import Origin, origins

from .loopback import Served, rss, serve

WEB = Path(__file__).parent / "data" / "daily" / "web"
SINCE = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
# Links that httpx2 cannot parse (octal IPv4, an open IPv6 bracket, a fullwidth letter, a
# no-break space): each one used to raise InvalidURL out of the whole run.
MALFORMED = ["http://0177.0.0.1/x", "http://[::1/", "http://\uff41.com/", "http://\xa0/"]


def home(web: Served) -> frozenset[Origin]:
    """The test server's origin: the one allowed on a private (loopback) address."""
    return origins([web.base])


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Served]:
    root = tmp_path / "web"
    root.mkdir()
    for f in WEB.iterdir():
        (root / f.name).write_bytes(f.read_bytes())
    (root / "not-a-feed.xml").write_text("<html><body>Hello</body></html>", encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (root / "empty.html").write_text(
        "<html><head><title>Gallery</title></head><body></body></html>"
    )
    (root / "plain.txt").write_text("Plain text article about the harbor bridge closure.\n")
    with serve(root, slow_seconds=1.5) as served:
        yield served


def test_user_agent_names_briefer_and_its_version() -> None:
    assert f"briefer/{__version__} (+https://github.com/briefer)" == USER_AGENT


def test_rss_entries_become_articles_and_failures_are_skipped(web: Served) -> None:
    got = fetch_all([f"{web.base}/metro-wire.xml"], [], since=SINCE, timeout=5, private=home(web))
    assert [a.title for a in got.articles] == [
        "City shuts Millbrook harbor bridge as girder corrosion worsens",
        "Library board cuts Sunday hours at eleven branches",
    ]
    bridge = got.articles[0]
    assert bridge.outlet == "Metro Wire" and bridge.outlet_source == "metadata"
    assert bridge.url == f"{web.base}/bridge.html?utm_source=rss&utm_medium=feed"
    assert bridge.date == "2026-03-10T05:00:00+00:00"
    assert "corrosion in two steel girders" in bridge.text
    assert "newsletter" not in bridge.text and "Subscribe" not in bridge.text
    assert [(s.path, s.reason) for s in got.skipped] == [(f"{web.base}/gone.html", "HTTP 404")]
    assert got.too_old == 1  # the craft fair entry, dated before the window
    assert "/old-fair.html" not in web.paths()  # never downloaded
    assert {agent for _, agent in web.requests} == {USER_AGENT}


def test_atom_feed_entries_use_the_page_site_name(web: Served) -> None:
    got = fetch_all(
        [f"{web.base}/harbor-gazette.atom"], [], since=SINCE, timeout=5, private=home(web)
    )
    assert [(a.outlet, a.url) for a in got.articles] == [
        ("Harbor Gazette", f"{web.base}/library-gazette.html"),
        ("Metro Wire", f"{web.base}/bridge.html#top"),
    ]
    assert got.skipped == [] and got.too_old == 0


def test_without_a_window_every_entry_is_kept(web: Served) -> None:
    got = fetch_all(
        [f"{web.base}/metro-wire.xml"],
        [],
        since=None,
        timeout=5,
        max_per_feed=10,
        private=home(web),
    )
    assert len(got.articles) == 3 and got.too_old == 0
    got = fetch_all(
        [f"{web.base}/metro-wire.xml"],
        [],
        since=None,
        timeout=5,
        max_per_feed=1,
        private=home(web),
    )
    assert len(got.articles) == 1


def test_one_dead_feed_does_not_stop_the_others(web: Served) -> None:
    closed = "http://127.0.0.1:9/feed.xml"  # discard port: nothing listens
    got = fetch_all(
        [
            closed,
            f"{web.base}/missing.xml",
            f"{web.base}/not-a-feed.xml",
            f"{web.base}/harbor-gazette.atom",
        ],
        [],
        since=SINCE,
        timeout=5,
        private=home(web) | origins([closed]),
    )
    reasons = {s.path: s.reason for s in got.skipped}
    assert reasons[closed].startswith("feed: cannot fetch (ConnectError")
    assert reasons[f"{web.base}/missing.xml"] == "feed: HTTP 404"
    assert reasons[f"{web.base}/not-a-feed.xml"].startswith("feed: not an RSS or Atom feed")
    assert len(got.articles) == 2  # the Atom feed still delivered


def test_single_pages_and_their_failures(web: Served) -> None:
    urls = [
        f"{web.base}/{name}" for name in ("library.html", "logo.png", "empty.html", "plain.txt")
    ]
    got = fetch_all([], urls, since=SINCE, timeout=5, private=home(web))
    assert [a.url for a in got.articles] == [urls[0], urls[3]]
    plain = got.articles[1]
    assert plain.outlet == "127.0.0.1" and plain.outlet_source == "url"
    assert plain.text.startswith("Plain text article")
    assert {s.path: s.reason for s in got.skipped} == {
        urls[1]: "not an article page (content type image/png)",
        urls[2]: "no article text found",
    }


def test_a_slow_server_times_out(web: Served) -> None:
    with (
        client(timeout=0.3, private=home(web)) as http,
        pytest.raises(FetchError, match="timed out"),
    ):
        fetch_page(http, f"{web.base}/slow")


@pytest.mark.parametrize("path", ["drip", "drip-headers"])
def test_a_server_that_drips_is_cut_off_at_the_whole_download_timeout(
    web: Served, path: str
) -> None:
    """A byte every 0.05 s never trips a per-read timeout; the whole download still ends."""
    with (
        client(timeout=0.25, private=home(web)) as http,
        pytest.raises(FetchError, match=r"^timed out: the whole download took longer than 0.25 s$"),
    ):
        fetch_page(http, f"{web.base}/{path}")
    assert web.drips_sent == 0  # the client left while the drip (10 s) was still going


def test_parse_feed_reads_titles_links_and_dates() -> None:
    body = (WEB / "harbor-gazette.atom").read_bytes().replace(b"${base}", b"http://h.test")
    title, entries = parse_feed(body, "http://h.test/feed", limit=10)
    assert title == "Harbor Gazette"
    assert [e.link for e in entries] == [
        "http://h.test/library-gazette.html",
        "http://h.test/bridge.html#top",
    ]
    assert entries[0].published == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("declared", ['<meta charset="iso-8859-1">', ""])
def test_a_latin1_page_is_read_with_its_accents(tmp_path: Path, declared: str) -> None:
    body = (
        f"<html><head>{declared}<title>Le café ferme</title></head><body><article>"
        "<p>Le café de la gare ferme ses portes après quarante ans, disent les commerçants "
        "du quartier, qui regrettent « un lieu de vie » et réclament un repreneur.</p>"
        "</article></body></html>"
    ).encode("latin-1")
    (tmp_path / "fr.html").write_bytes(body)
    with serve(tmp_path) as web, client(5, private=home(web)) as http:
        article = fetch_page(http, f"{web.base}/fr.html")
    assert "café de la gare" in article.text and "commerçants" in article.text
    assert "\ufffd" not in article.text
    assert article.encoding not in (None, "utf-8")


@pytest.mark.parametrize("bad", MALFORMED)
def test_one_malformed_entry_link_is_skipped_and_the_others_read(
    web: Served, tmp_path: Path, bad: str
) -> None:
    root = tmp_path / "web"  # what the server serves
    good = [f"{web.base}/library.html", f"{web.base}/plain.txt"]
    (root / "mixed.xml").write_text(rss([good[0], bad, good[1]]), encoding="utf-8")
    got = fetch_all([f"{web.base}/mixed.xml"], [], since=None, timeout=5, private=home(web))
    assert [a.url for a in got.articles] == good
    assert [s.path for s in got.skipped] == [bad]
    assert got.skipped[0].reason.startswith("refused: not a valid URL (Invalid ")


@pytest.mark.parametrize("bad", MALFORMED)
def test_a_malformed_feed_or_page_url_is_skipped(web: Served, bad: str) -> None:
    page = f"{web.base}/library.html"
    got = fetch_all([bad], [bad, page], since=None, timeout=5, private=home(web))
    assert [a.url for a in got.articles] == [page]
    assert [s.path for s in got.skipped] == [bad, bad]
    feed, url = (s.reason for s in got.skipped)
    assert feed.startswith("feed: refused: not a valid URL (") and feed == f"feed: {url}"


@pytest.mark.parametrize("bad", MALFORMED)
def test_a_redirect_to_a_malformed_location_is_skipped(web: Served, bad: str) -> None:
    redirect = f"{web.base}/redirect?to={bad}"
    page = f"{web.base}/library.html"
    got = fetch_all([], [redirect, page], since=None, timeout=5, private=home(web))
    assert [a.url for a in got.articles] == [page]
    assert [s.path for s in got.skipped] == [redirect]
    assert "Invalid URL in location header" in got.skipped[0].reason


def test_relative_entry_links_resolve_against_the_feed() -> None:
    body = rss(["/a/story.html", "b.html", "http://other.test/c.html"]).encode()
    _, entries = parse_feed(body, "http://h.test/news/feed.xml", limit=10)
    assert [e.link for e in entries] == [
        "http://h.test/a/story.html",
        "http://h.test/news/b.html",
        "http://other.test/c.html",
    ]


def test_an_entry_link_feedparser_blanks_is_listed_not_dropped(web: Served, tmp_path: Path) -> None:
    """feedparser turns a link it cannot resolve against an xml:base into "": the entry is
    listed as skipped under its feed's URL instead of vanishing."""
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:base="{web.base}/"><title>Base</title>'
        '<entry><title>Bad</title><link href="http://[::1/"/></entry>'
        '<entry><title>Good</title><link href="library.html"/></entry></feed>'
    )
    (tmp_path / "web" / "based.atom").write_text(atom, encoding="utf-8")
    feed = f"{web.base}/based.atom"
    got = fetch_all([feed], [], since=None, timeout=5, private=home(web))
    assert [a.url for a in got.articles] == [f"{web.base}/library.html"]
    assert [(s.path, s.reason) for s in got.skipped] == [(feed, NO_LINK)]


def test_a_url_of_another_scheme_is_refused_naming_it() -> None:
    """file:///x has no host: the client took it for a relative URL and lost its scheme."""
    got = fetch_all([], ["file:///x", "mailto:a@b.test"], since=None, timeout=5)
    assert [(s.path, s.reason) for s in got.skipped] == [
        ("file:///x", "refused: not an http or https URL (file:)"),
        ("mailto:a@b.test", "refused: not an http or https URL (mailto:)"),
    ]
