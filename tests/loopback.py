"""A tiny HTTP server on 127.0.0.1 for feed and page tests: no outside network, ever.

It serves files from a folder with `${base}` replaced by its own address, answers 404 for
anything else, sleeps on /slow (for timeouts), and records each request's path and agent.
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
from urllib.parse import urlsplit

TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
}


@dataclass
class Served:
    base: str
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, user agent)

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


Chat = Callable[[dict[str, Any]], dict[str, Any]]


@contextmanager
def serve(root: Path, slow_seconds: float = 2.0, chat: Chat | None = None) -> Iterator[Served]:
    served = Served(base="")

    class Handler(BaseHTTPRequestHandler):
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
            path = urlsplit(self.path).path.lstrip("/")
            if path == "slow":
                time.sleep(slow_seconds)
            file = root / path
            if not path or not file.is_file():
                self.send_error(404)
                return
            data = file.read_bytes()
            if file.suffix in (".xml", ".atom", ".html"):
                data = Template(data.decode("utf-8")).safe_substitute(base=served.base).encode()
            self.send_response(200)
            self.send_header("Content-Type", TYPES.get(file.suffix, "application/octet-stream"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            del format, args  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    served.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
