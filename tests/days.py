"""A daily run for tests: a fixture folder and a loopback feed server (the `day` fixture), the
schema-following fake model, and the files a user keeps beside briefer's. Shared by the daily,
daily-files, browser and credentials tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from briefer.daily.config import DailyConfig, load
from briefer.daily.lock import lock_path
from briefer.daily.result import DailyResult
from briefer.daily.run import run_daily
from briefer.settings import find_home

from .conftest import model_settings
from .fakes import FakeEndpoint
from .loopback import Served, serve
from .schema_fake import reply

DATA = Path(__file__).parent / "data" / "daily"
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
DAY = "2026-03-10"


@dataclass
class Day:
    """A day's setting: the folder a run works in and the feed server it reads."""

    root: Path
    web: Served

    def config(
        self,
        extra: str = "",
        feeds: tuple[str, ...] | None = None,
        formats: str = '["md", "json"]',
    ) -> DailyConfig:
        names = (
            feeds if feeds is not None else ("metro-wire.xml", "harbor-gazette.atom", "dead.xml")
        )
        feed_list = ", ".join(f'"{self.web.base}/{n}"' for n in names)
        path = self.root / "briefer.toml"
        path.write_text(
            f'output = "out"\nformats = {formats}\nkeep_days = 3\n'
            # The feeds are on the loopback test server, which public-only fetching refuses.
            f"allow_private_addresses = true\n{extra}\n"
            f'[sources]\nfolders = ["inbox"]\nfeeds = [{feed_list}]\n',
            encoding="utf-8",
        )
        return load(path)

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def lock(self) -> Path:
        """Where a run over this output keeps its lock: in the state folder, not in OUTPUT."""
        return lock_path(find_home().data_dir, self.out)


@pytest.fixture
def day(tmp_path: Path) -> Iterator[Day]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    recent = (NOW - timedelta(hours=1)).timestamp()
    for f in (DATA / "folder").iterdir():
        target = inbox / f.name
        target.write_bytes(f.read_bytes())
        os.utime(target, (recent, recent))
    with serve(DATA / "web") as web:
        yield Day(tmp_path, web)


# A run over the fixtures: two stories of three articles, each three analyses, the write call
# and its one re-ask (the stand-in's sentences name no fact group, so each is rejected). The
# test model, the 1.5B, is not asked for framing lines; no figure pair to contrast.
FULL_RUN = 10


def model(calls: int = FULL_RUN) -> FakeEndpoint:
    """The schema-following fake model, answering exactly `calls` requests."""
    return FakeEndpoint.serving(reply, calls)


def run(cfg: DailyConfig, fake: FakeEndpoint, now: datetime = NOW, **kw: Any) -> DailyResult:
    return run_daily(cfg, model_settings(), now, http_client=fake.client(), **kw)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# -- what a user keeps beside briefer's files -----------------------------------------------

MY_PAGE = "<!doctype html><title>Home</title><h1>My own home page</h1>\n"
INDEX_RUN = 4  # model calls of briefing the two-article story titled "Index"


def index_story(root: Path) -> DailyConfig:
    """Two outlets title one story "Index" (a config over them, formats md and html)."""
    inbox = root / "inbox"
    inbox.mkdir()
    texts = {
        "Alpha Daily": "The harbor council voted late on Tuesday to fund the bridge repairs, "
        "ending a month of debate. Engineers said the girders had rusted through.",
        "Beta News": "Bridge repairs will go ahead after councillors approved the harbor "
        "budget this week. The mayor said lorries must keep off the girders.",
    }
    recent = NOW.timestamp() - 3600
    for i, (outlet, body) in enumerate(texts.items()):
        path = inbox / f"{i}.txt"
        path.write_text(f"---\ntitle: Index\noutlet: {outlet}\n---\n{body}\n")
        os.utime(path, (recent, recent))
    config = root / "briefer.toml"
    config.write_text('output = "out"\nformats = ["md", "html"]\n[sources]\nfolders = ["inbox"]\n')
    return load(config)


def edited(path: Path) -> None:
    """The user's edit of a file briefer wrote; a page keeps briefer's generator tag."""
    text = path.read_text()
    path.write_text(text.replace("</h1>", "</h1><p>My notes: call Bob.</p>", 1))
