"""HTTP for the open web: only public addresses, and every download against one clock.

A feed is written by strangers. An entry link, or a redirect, may point at 127.0.0.1, the LAN
or a cloud metadata address (169.254.169.254). Every connection goes through `GuardedBackend`:
it resolves the host itself, refuses it unless *every* address the name resolves to is public,
and then connects to one of those checked addresses (TLS still sends the host name for SNI and
checks the certificate against it). Each redirect hop is a new connection through the same
backend, so it is checked the same way, and since the socket goes to the address that was
checked, a second DNS answer (rebinding) is never used. A refusal happens before any packet is
sent, so its message is the same whatever the port: it cannot map out internal services.

Private access belongs to a source, not to the client: the backend is given the origins (host
and port) that may resolve to private addresses (briefer.toml: `allow_private_addresses`), and
a connection to any other origin, be it an entry link or a redirect, is checked as public. The
check is on the origin a connection is made for, so a stranger's link to 127.0.0.1 on another
port, or a redirect from the allowed server to one, is refused like any other.

`web_url` is the one answer to "is this outside URL something we can fetch, and if not, why":
it parses with httpx2's own parser, the one the client uses, so the config check, the feed
entries and each redirect agree on what is a URL.

The clock: inside `deadline(at)`, every socket operation (connect, TLS, headers, body, each
redirect) waits at most until `at`, so a server that drips bytes cannot hold a run. The system
resolver is not on this clock (getaddrinfo cannot be interrupted); it has its own timeouts.
Proxies from the environment are not used: a proxy resolves names itself, out of our sight.
"""

from __future__ import annotations

import ipaddress
import math
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

import httpcore2
import httpx2

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEADLINE: ContextVar[float] = ContextVar("briefer_download_deadline", default=math.inf)
_SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class Refused(Exception):
    """A URL briefer will not fetch (its address, scheme or form); the message is the reason,
    worded to follow "refused: "."""


class BadURL(Refused):
    """Not an absolute http(s) URL httpx2 can parse; the message also reads after "URL is"."""


class Origin(NamedTuple):
    """Where a connection goes: the host as httpx2 spells it (lower case, IDNA, an IPv6
    address without brackets) and the port (the scheme's default when the URL has none)."""

    host: str
    port: int


def web_url(url: str | httpx2.URL) -> httpx2.URL:
    """`url` as httpx2 parses it, if it is an absolute http or https URL with a host and a
    valid port; else raises BadURL saying why (httpx2's own words for an unparsable one)."""
    try:
        parsed = url if isinstance(url, httpx2.URL) else httpx2.URL(url)
    except httpx2.InvalidURL as exc:
        raise BadURL(f"not a valid URL ({exc})") from exc
    if parsed.scheme not in SCHEMES:
        # Checked here, on the URL as given: the client takes a URL without a host
        # ("file:///x") for a relative one and drops its scheme before any transport sees it.
        shown = f"{parsed.scheme}:" if parsed.scheme else "no scheme"
        raise BadURL(f"not an http or https URL ({shown})")
    if not parsed.host:
        raise BadURL("not a valid URL (no host)")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise BadURL(f"not a valid URL (port {parsed.port} is out of range)")
    return parsed


def origin(url: httpx2.URL) -> Origin:
    """The origin a checked URL (see `web_url`) connects to."""
    return Origin(url.raw_host.decode("ascii"), url.port or DEFAULT_PORTS[url.scheme])


def origins(urls: Iterable[str]) -> frozenset[Origin]:
    """The origins of these URLs; one that is not a usable URL has none."""
    found = set()
    for url in urls:
        try:
            found.add(origin(web_url(url)))
        except BadURL:
            continue
    return frozenset(found)


def host_origins(entry: str) -> frozenset[Origin]:
    """The origins a briefer.toml `allow_private_addresses` entry names: a URL, "host:port",
    or a bare host (the standard web ports 80 and 443). Raises BadURL for anything else."""
    if "://" in entry:
        return frozenset({origin(web_url(entry))})
    url = web_url(f"http://{entry}")
    if url.raw_path != b"/" or url.userinfo or url.fragment:
        raise BadURL("not a host or host:port")
    # httpx2 drops a port that is the scheme's default: read it under the other scheme.
    port = url.port if url.port is not None else web_url(f"https://{entry}").port
    ports = [port] if port is not None else [80, 443]
    return frozenset(Origin(origin(url).host, p) for p in ports)


class DeadlinePassed(Exception):
    """The download in progress ran out of time."""


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries on to (6to4, NAT64), if any."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """False for loopback, private, link-local, multicast, reserved, unspecified, shared and
    documentation addresses, and for IPv6 addresses that carry such an IPv4 address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return is_public(ip.ipv4_mapped)  # ::ffff:a.b.c.d is a.b.c.d
    inner = _embedded_ipv4(ip)
    if inner is not None and not is_public(inner):
        return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
    )


def refusal(host: str) -> str:
    return (
        f"{host} is not a public internet address (to read a server on your own network, "
        "list its host and port in allow_private_addresses in briefer.toml)"
    )


def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Every address `host` resolves to, checked; raises Refused if any one is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise httpcore2.ConnectError(f"cannot resolve {host}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            try:
                public = is_public(ipaddress.ip_address(address))
            except ValueError:
                public = False
            if not public:
                raise Refused(refusal(host))
    return addresses


def _time_left(timeout: float | None) -> float | None:
    """The timeout for one socket operation: the caller's, cut to what the deadline leaves."""
    left = _DEADLINE.get() - time.monotonic()
    if left <= 0:
        raise DeadlinePassed("the download ran out of time")
    if math.isinf(left):
        return timeout
    return left if timeout is None else min(timeout, left)


@contextmanager
def deadline(at: float) -> Iterator[None]:
    """Every download inside ends by `at` (a time.monotonic() value)."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


class _ClockedStream(httpcore2.NetworkStream):
    """A connection whose every read and write waits at most until the deadline."""

    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _time_left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _time_left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, _time_left(timeout))
        return _ClockedStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore2.SyncBackend):
    """Connects only to checked addresses, on the download's clock; only the `private`
    origins may resolve to non-public addresses."""

    def __init__(self, *, private: Iterable[Origin] = ()) -> None:
        self.private = frozenset(private)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[_SocketOption] | None = None,
    ) -> httpcore2.NetworkStream:
        allowed = Origin(host.lower(), port) in self.private
        addresses = resolve(host, port, allow_private=allowed)
        failure: Exception = httpcore2.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    address, port, _time_left(timeout), local_address, socket_options
                )
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as exc:
                failure = exc
                continue
            return _ClockedStream(stream)
        raise failure


def _as_httpx(exc: Exception) -> Exception:
    """httpcore2's error as its httpx2 twin (same name), as httpx2's own transport does."""
    for cls in type(exc).__mro__:
        twin = getattr(httpx2, cls.__name__, None)
        if (
            cls.__module__.startswith("httpcore2")
            and isinstance(twin, type)
            and issubclass(twin, httpx2.TransportError)
        ):
            return twin(str(exc))
    return exc


class _Body(httpx2.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except Exception as exc:
            mapped = _as_httpx(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx2.BaseTransport):
    """An httpx2 transport over `GuardedBackend` that takes usable http and https URLs only
    (each redirect comes here too)."""

    def __init__(self, *, private: Iterable[Origin] = ()) -> None:
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(),
            network_backend=GuardedBackend(private=private),
            max_keepalive_connections=4,
            keepalive_expiry=5.0,
        )

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        web_url(request.url)
        assert isinstance(request.stream, Iterable)
        core = httpcore2.Request(
            method=request.method,
            url=httpcore2.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            resp = self._pool.handle_request(core)
        except Exception as exc:
            mapped = _as_httpx(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        assert isinstance(resp.stream, Iterable)
        return httpx2.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Body(resp.stream),
            extensions=resp.extensions,
        )

    def close(self) -> None:
        self._pool.close()
