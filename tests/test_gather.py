"""Gathering files and web sources within bounds: a symlink loop is not followed, each real
file is read once, a source's walk is capped, and the whole step has a deadline after which
what was not read is skipped with that reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from briefer.daily import gather as gather_mod
from briefer.daily.config import DailyConfig, load
from briefer.daily.feeds import OUT_OF_TIME
from briefer.daily.gather import gather
from briefer.ingest.files import Article

from .loopback import serve

DATA = Path(__file__).parent / "data" / "daily"
STORY = DATA / "folder" / "valley-post-library.txt"


def config(tmp_path: Path, text: str) -> DailyConfig:
    path = tmp_path / "briefer.toml"
    path.write_text(f'output = "out"\n{text}', encoding="utf-8")
    return load(path)


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    reads: list[Path] = []
    real = gather_mod.read_file

    def read(path: Path, manifest: Any = None) -> Article:
        reads.append(path)
        return real(path, manifest)

    monkeypatch.setattr(gather_mod, "read_file", read)
    return reads


def test_a_symlink_loop_is_not_followed_and_each_file_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clips = tmp_path / "clips"
    (clips / "sub").mkdir(parents=True)
    (clips / "story.txt").write_bytes(STORY.read_bytes())
    (clips / "loop").symlink_to(clips, target_is_directory=True)  # a folder inside itself
    (clips / "sub" / "alias.txt").symlink_to(clips / "story.txt")  # a second name
    (clips / "sub" / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    reads = count_reads(monkeypatch)
    cfg = config(
        tmp_path,
        '[sources]\nfolders = ["clips"]\nglobs = ["clips/**/*.txt", "clips/*/*.txt"]\n',
    )
    got = gather(cfg, datetime.now(UTC))
    assert reads == [clips / "story.txt"]
    assert len(got.articles) == 1 and got.skipped == []


def test_a_walk_stops_after_max_walk_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(6):
        (inbox / f"story-{n}.txt").write_text(f"Story {n}\n\nText of story {n} here.\n")
    monkeypatch.setattr(gather_mod, "MAX_WALK", 3)
    reads = count_reads(monkeypatch)
    got = gather(config(tmp_path, '[sources]\nfolders = ["inbox"]\n'), datetime.now(UTC))
    assert len(reads) == 3
    assert [(s.path, s.reason) for s in got.skipped] == [
        (str(inbox), "stopped after 3 entries; the rest was not read")
    ]


def test_files_not_read_by_the_gather_deadline_are_skipped(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for f in (DATA / "folder").iterdir():
        (inbox / f.name).write_bytes(f.read_bytes())
    cfg = config(tmp_path, 'gather_timeout = 1e-9\n[sources]\nfolders = ["inbox"]\n')
    got = gather(cfg, datetime.now(UTC))
    assert got.articles == []
    assert sorted(Path(s.path).name for s in got.skipped) == sorted(
        f.name for f in (DATA / "folder").iterdir()
    )
    assert {s.reason for s in got.skipped} == {OUT_OF_TIME}


def test_the_gather_step_ends_at_gather_timeout(tmp_path: Path) -> None:
    """A feed that drips holds the step only until gather_timeout; what is left is skipped."""
    with serve(DATA / "web") as web:
        cfg = config(
            tmp_path,
            "fetch_timeout = 30\ngather_timeout = 1.5\nallow_private_addresses = true\n"
            f'[sources]\nfeeds = ["{web.base}/drip", "{web.base}/metro-wire.xml"]\n'
            f'urls = ["{web.base}/library.html"]\n',
        )
        got = gather(cfg, datetime.now(UTC))
        paths = web.paths()
        assert web.drips_sent == 0  # the run ended while the drip (10 s) was still going
    assert [(s.path, s.reason) for s in got.skipped] == [
        (f"{web.base}/drip", f"feed: {OUT_OF_TIME}"),
        (f"{web.base}/metro-wire.xml", f"feed: {OUT_OF_TIME}"),
        (f"{web.base}/library.html", OUT_OF_TIME),
    ]
    assert paths == ["/drip"]
