"""Benchmark two scheduled runs: `briefer daily` over the seeds plus a feed, then again.

    python bench/daily.py            # no key: the embedded local model (local extra)
    OPENAI_API_KEY=... python bench/daily.py

It copies seeds/ into a fresh inbox, serves an RSS feed on 127.0.0.1 whose two entries are a
copy of seed 004 as a web page (a duplicate to drop) and an unrelated story from one outlet (a
single to list, not brief), writes a briefer.toml, runs `briefer daily` twice in a fresh state
dir and prints each run's exit code, wall time, and the model calls and tokens the call log
holds. Not part of pytest: figures to read.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from briefer.model.cache import CallCache

ROOT = Path(__file__).resolve().parent.parent


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _page(title: str, text: str) -> str:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (
        f"<html><head><title>{html.escape(title)}</title></head>"
        f"<body><article><h1>{html.escape(title)}</h1>{paras}</article></body></html>"
    )


def _site(web: Path, base: str) -> None:
    seed = next((ROOT / "seeds").glob("004_*.txt")).read_text("utf-8")
    other = (ROOT / "bench/sets/harbour-bridge/articles/gazette.txt").read_text("utf-8")
    (web / "seed-004.html").write_text(_page(seed.splitlines()[0], seed), "utf-8")
    (web / "bridge.html").write_text(_page(other.splitlines()[0], other), "utf-8")
    now = format_datetime(datetime.now(UTC))
    items = "".join(
        f"<item><title>{html.escape(t)}</title><link>{base}/{n}</link><pubDate>{now}</pubDate>"
        "</item>"
        for t, n in [(seed.splitlines()[0], "seed-004.html"), ("Bridge vote", "bridge.html")]
    )
    (web / "feed.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>{base}/</link><description>d</description>{items}</channel></rss>",
        "utf-8",
    )


def _run(config: Path, env: dict[str, str], home: Path) -> tuple[int, float, int, int, int]:
    t0 = time.monotonic()
    code = subprocess.call(
        [sys.executable, "-m", "briefer", "daily", "--config", str(config)], env=env
    )
    wall = time.monotonic() - t0
    calls = (
        CallCache(home / "cache.sqlite").recent(10_000) if (home / "cache.sqlite").exists() else []
    )
    return (
        code,
        wall,
        len(calls),
        sum(c.prompt_tokens for c in calls),
        sum(c.completion_tokens for c in calls),
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--home", type=Path, help="state dir to keep (default: a fresh temporary one)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home, inbox, web = args.home or root / "home", root / "inbox", root / "web"
        for d in (home, inbox, web):
            d.mkdir(exist_ok=True)
        # Reuse the assembled local models instead of joining 1.1 GB again in the fresh home.
        models = Path.home() / ".cache" / "briefer" / "models"
        if models.is_dir() and not (home / "cache" / "models").exists():
            (home / "cache").mkdir(exist_ok=True)
            (home / "cache" / "models").symlink_to(models)
        for f in (ROOT / "seeds").iterdir():
            shutil.copy(f, inbox / f.name)  # copy gives a fresh mtime: inside the window
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(web)))
        base = f"http://127.0.0.1:{server.server_address[1]}"
        _site(web, base)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        config = root / "briefer.toml"
        config.write_text(
            f'output = "{root / "out"}"\n'
            "allow_private_addresses = true  # the feed server is on loopback\n"
            f'[sources]\nfolders = ["{inbox}"]\n'
            f'feeds = ["{base}/feed.xml"]\n',
            "utf-8",
        )
        env = {**os.environ, "BRIEFER_HOME": str(home)}
        try:
            before = 0
            for label in ("first run", "second run"):
                code, wall, calls, pt, ct = _run(config, env, home)
                print(
                    f"{label}: exit {code}, {wall:.0f}s, {calls - before} new model calls "
                    f"(log total {calls}: {pt} prompt + {ct} completion tokens)",
                    flush=True,
                )
                before = calls
            day = next(d for d in (root / "out").iterdir() if d.is_dir())
            print(f"output {day.name}: {sorted(p.name for p in day.iterdir())}")
            print((day / "index.md").read_text("utf-8"))
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
