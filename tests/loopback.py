"""A tiny HTTP server on 127.0.0.1 for feed and page tests: no outside network, ever.

It serves files from a folder with `${base}` replaced by its own address, answers 404 for
anything else, sleeps on /slow (for timeouts), answers /redirect?to=URL with a 302 to URL (sent
as it is, in UTF-8), drips a page one byte at a time on /drip (and its headers on /drip-headers;
both stop after a few seconds or when the server stops), and records each request's path and
agent.
Given a `chat` function it is also an OpenAI-compatible endpoint at /v1/chat/completions
(for CLI tests, which cannot hand the run a fake client).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qs, urlsplit

TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
}
DRIP_SECONDS = 0.05  # between two bytes of a drip
DRIP_BYTES = 200  # a drip ends after this many bytes (10 s): the server never hangs a test


@dataclass
class Served:
    base: str
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, user agent)
    drips_sent: int = 0  # drips sent to their end: a client that gave up stops one early

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


Chat = Callable[[dict[str, Any]], dict[str, Any]]


def rss(links: list[str]) -> str:
    """An RSS feed titled "News" with an undated entry "Entry N" for each link, as given."""
    items = "".join(
        f"<item><title>Entry {n}</title><link>{link.replace('&', '&amp;')}</link></item>"
        for n, link in enumerate(links)
    )
    channel = f"<channel><title>News</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout test) is expected: no traceback on stderr."""
        del request, client_address


@contextmanager
def serve(root: Path, slow_seconds: float = 2.0, chat: Chat | None = None) -> Iterator[Served]:
    served = Served(base="")
    stopping = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def drip(self, data: bytes) -> None:
            """Send `data` a byte at a time until it is sent, the client left or we stop."""
            for byte in data[:DRIP_BYTES]:
                if stopping.wait(DRIP_SECONDS):
                    return
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
            served.drips_sent += 1

        def special(self, path: str, query: str) -> bool:
            """The test routes that are not files; True when one answered."""
            if path == "redirect":
                # Written raw, in UTF-8: send_header() cannot send a hostile non-Latin-1 target.
                to = parse_qs(query)["to"][0].encode("utf-8")
                self.wfile.write(b"HTTP/1.0 302 Found\r\nLocation: " + to)
                self.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
            elif path == "drip":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.drip(b"<html><body><p>" + b"slow " * 1000)
            elif path == "drip-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                self.drip(b"X-Filler: " + b"a" * 1000)
            else:
                return False
            return True

        def do_POST(self) -> None:
            served.requests.append((self.path, self.headers.get("User-Agent", "")))
            if chat is None or self.path != "/v1/chat/completions":
                self.send_error(404)
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            content = json.dumps(chat(body))
            data = json.dumps(
                {
                    "id": "chatcmpl-loopback",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            served.requests.append((self.path, self.headers.get("User-Agent", "")))
            url = urlsplit(self.path)
            path = url.path.lstrip("/")
            if path == "slow":
                time.sleep(slow_seconds)
            if self.special(path, url.query):
                return
            file = root / path
            if not path or not file.is_file():
                self.send_error(404)
                return
            data = file.read_bytes()
            if file.suffix in (".xml", ".atom", ".html"):
                text = Template(data.decode("utf-8", "surrogateescape"))  # Latin-1 pages too
                data = text.safe_substitute(base=served.base).encode("utf-8", "surrogateescape")
            self.send_response(200)
            self.send_header("Content-Type", TYPES.get(file.suffix, "application/octet-stream"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            del format, args  # keep test output clean

    server = _QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll: shutdown() waits for the loop's next poll (0.5 s by default, in every test).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield served
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
