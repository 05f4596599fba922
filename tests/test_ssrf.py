"""Feeds are written by strangers: a link, or a redirect, to 127.0.0.1, the LAN or the cloud
metadata address is refused before any connection is made, the refusal reads the same for an
open and a closed port, and nothing from an internal page reaches the index. A permission for
one private feed server opens that server (host and port) only: its entries' links and
redirects to anywhere else are checked like any stranger's. The pretend internet
(tests/internet.py) keeps every connection on 127.0.0.1."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefer.daily.config import load
from briefer.daily.feeds import Gathered, fetch_all
from briefer.daily.gather import gather
from briefer.daily.run import run_daily
from briefer.daily.safehttp import is_public, origins

from .conftest import model_settings
from .fakes import FakeEndpoint
from .internet import PUBLIC, Internet, internet
from .loopback import Served, rss, serve

__all__ = ["internet"]  # the fixture, imported for the tests below

WEB = Path(__file__).parent / "data" / "daily" / "web"
SECRET = "INTERNAL ADMIN PANEL token=hunter2-not-for-feeds"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.251",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",  # documentation
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 wrapping 169.254.169.254
        "64:ff9b::a9fe:a9fe",  # NAT64 wrapping 169.254.169.254
        "::127.0.0.1",  # IPv4-compatible (deprecated)
    ],
)
def test_non_public_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@dataclass
class Site:
    web: Served
    net: Internet
    port: int

    def at(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}/{path}"


@pytest.fixture
def site(tmp_path: Path, internet: Internet) -> Iterator[Site]:
    root = tmp_path / "web"
    root.mkdir()
    (root / "library.html").write_bytes((WEB / "library.html").read_bytes())
    (root / "admin.txt").write_text(f"{SECRET}\nUsers: 3\n", encoding="utf-8")
    with serve(root) as web:
        port = int(web.base.rsplit(":", 1)[1])
        internet.name("news.example", [PUBLIC])
        site = Site(web, internet, port)
        loopback = site.at("127.0.0.1", "admin.txt")
        links = [
            loopback,
            "http://127.0.0.1:9/admin.txt",  # a closed port: refused the same way
            site.at("news.example", f"redirect?to={loopback}"),
            "http://169.254.169.254/latest/meta-data/",
            site.at("internal.example", "admin.txt"),
            site.at("rebind.example", "admin.txt"),
            f"http://[::ffff:127.0.0.1]:{port}/admin.txt",
            site.at("news.example", "library.html"),
        ]
        internet.name("internal.example", ["127.0.0.1"])
        internet.name("rebind.example", [PUBLIC, "10.0.0.5"])
        (root / "hostile.xml").write_text(rss(links), encoding="utf-8")
        yield site


def test_internal_links_and_redirects_are_refused_before_connecting(site: Site) -> None:
    got = fetch_all([site.at("news.example", "hostile.xml")], [], since=None, timeout=5)
    assert [a.url for a in got.articles] == [site.at("news.example", "library.html")]
    reasons = {s.path: s.reason for s in got.skipped}
    assert len(reasons) == 7 and all(r.startswith("refused: ") for r in reasons.values())
    # An open and a closed internal port read the same: the skip list maps out nothing.
    assert reasons[site.at("127.0.0.1", "admin.txt")] == reasons["http://127.0.0.1:9/admin.txt"]
    assert "allow_private_addresses" in reasons["http://169.254.169.254/latest/meta-data/"]
    # The redirect's first hop went out; its target was never requested.
    assert "/admin.txt" not in site.web.paths()
    assert any(p.startswith("/redirect?") for p in site.web.paths())
    # Only the checked public address was ever connected to, never an internal one.
    assert set(site.net.connects) == {PUBLIC}


def test_a_second_dns_answer_is_never_used(site: Site) -> None:
    """The name is resolved once per connection and the socket goes to the address that was
    checked: a rebinding DNS server cannot swap in 127.0.0.1 after the check."""
    site.net.name("flip.example", [PUBLIC], ["127.0.0.1"])
    url = site.at("flip.example", "library.html")
    got = fetch_all([], [url], since=None, timeout=5)
    assert [a.url for a in got.articles] == [url] and got.skipped == []
    assert site.net.lookups.count("flip.example") == 1
    assert site.net.connects == [PUBLIC]


def test_only_http_and_https_are_followed(site: Site) -> None:
    urls = [site.at("news.example", "redirect?to=file:///etc/passwd")]
    got = fetch_all([], urls, since=None, timeout=5)
    assert got.articles == []
    assert got.skipped[0].reason == "refused: not an http or https URL (file:)"


def test_the_permission_opens_only_the_origin_it_names(site: Site) -> None:
    url = site.at("127.0.0.1", "admin.txt")
    assert fetch_all([], [url], since=None, timeout=5).articles == []
    elsewhere = origins(["http://127.0.0.1:9/"])  # the same host on another port
    assert fetch_all([], [url], since=None, timeout=5, private=elsewhere).articles == []
    assert "/admin.txt" not in site.web.paths()
    got = fetch_all([], [url], since=None, timeout=5, private=origins([url]))
    assert [a.url for a in got.articles] == [url]


def test_an_internal_page_never_reaches_the_index(site: Site, tmp_path: Path) -> None:
    config = tmp_path / "briefer.toml"
    config.write_text(
        'output = "out"\nwindow_hours = 1000000\n'
        f'[sources]\nfeeds = ["{site.at("news.example", "hostile.xml")}"]\n',
        encoding="utf-8",
    )
    cfg = load(config)  # no allow_private_addresses: off by default
    now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    # Nothing to brief: no model call either (any would fail the test).
    run_daily(cfg, model_settings(), now, http_client=FakeEndpoint().client())
    index = (tmp_path / "out" / "2026-03-10" / "index.md").read_text(encoding="utf-8")
    assert "INTERNAL ADMIN" not in index and "hunter2" not in index
    assert "Sources skipped (7)" in index
    assert "/admin.txt" not in site.web.paths()


@dataclass
class Lan:
    """A feed server at home (allowed on loopback) and another loopback server (not allowed)
    holding a secret; the home feed links to both, to the metadata address, and redirects."""

    home: Served
    other: Served
    net: Internet
    got: Gathered

    def reason(self, url: str) -> str:
        return {s.path: s.reason for s in self.got.skipped}[url]


METADATA = "http://169.254.169.254/latest/meta-data/"


def lan_links(home: str, other: str) -> list[str]:
    return [
        f"{home}/library.html",  # (e) the allowed server itself
        f"{other}/admin.txt",  # (b) another port on the same loopback address
        f"{home}/redirect?to={other}/admin.txt",  # (c) a redirect away from the allowed server
        METADATA,  # (d)
    ]


@contextmanager
def home_and_other(root: Path) -> Iterator[tuple[Served, Served]]:
    """The two servers, the home one serving a feed of `lan_links`."""
    (root / "home").mkdir()
    (root / "other").mkdir()
    (root / "home" / "library.html").write_bytes((WEB / "library.html").read_bytes())
    (root / "other" / "admin.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    with serve(root / "home") as home, serve(root / "other") as other:
        feed = rss(lan_links(home.base, other.base))
        (root / "home" / "feed.xml").write_text(feed, encoding="utf-8")
        yield home, other


@pytest.fixture
def lan(tmp_path: Path, internet: Internet) -> Iterator[Lan]:
    with home_and_other(tmp_path) as (home, other):
        got = fetch_all(
            [f"{home.base}/feed.xml"], [], since=None, timeout=5, private=origins([home.base])
        )
        yield Lan(home, other, internet, got)


def test_the_allowed_feed_server_and_its_own_links_are_read(lan: Lan) -> None:
    """(a) the feed itself and (e) an entry link to the same host and port."""
    assert lan.home.paths()[:2] == ["/feed.xml", "/library.html"]
    assert [a.url for a in lan.got.articles] == [f"{lan.home.base}/library.html"]


def test_an_entry_link_to_another_loopback_port_is_refused(lan: Lan) -> None:
    """(b)"""
    reason = lan.reason(f"{lan.other.base}/admin.txt")
    assert reason.startswith("refused: 127.0.0.1 is not a public internet address")
    assert lan.other.requests == []


def test_a_redirect_from_the_allowed_server_to_another_port_is_refused(lan: Lan) -> None:
    """(c) the redirect was served by the allowed server; its target was never asked."""
    redirect = f"{lan.home.base}/redirect?to={lan.other.base}/admin.txt"
    assert lan.reason(redirect).startswith("refused: 127.0.0.1 is not a public")
    assert any(p.startswith("/redirect?") for p in lan.home.paths())
    assert lan.other.requests == []
    assert all(SECRET not in a.text for a in lan.got.articles)


def test_the_metadata_address_is_refused_without_a_connection(lan: Lan) -> None:
    """(d) the only connections made went to the allowed server's port."""
    assert lan.reason(METADATA).startswith("refused: 169.254.169.254 is not a public")
    assert "169.254.169.254" not in lan.net.connects
    assert set(lan.net.connects) == {"127.0.0.1"}
    assert len(lan.got.skipped) == 3


@pytest.mark.parametrize(
    "allow",
    [
        "true",
        '["127.0.0.1:{port}"]',
        '["{base}/any/path"]',
        '["192.168.1.10:8080", "127.0.0.1:{port}"]',
    ],
)
def test_the_config_permission_opens_the_named_hosts_only(tmp_path: Path, allow: str) -> None:
    """`true` (the hosts of the feeds and urls) and a list of hosts both open the home
    server only, through a whole gather step."""
    with home_and_other(tmp_path) as (home, other):
        value = allow.format(port=home.base.rsplit(":", 1)[1], base=home.base)
        config = tmp_path / "briefer.toml"
        config.write_text(
            f'output = "out"\nallow_private_addresses = {value}\n'
            f'[sources]\nfeeds = ["{home.base}/feed.xml"]\n',
            encoding="utf-8",
        )
        got = gather(load(config), datetime.now(UTC))
        assert other.requests == []
    assert [a.url for a in got.articles] == [f"{home.base}/library.html"]
    assert len(got.skipped) == 3 and all(s.reason.startswith("refused: ") for s in got.skipped)
