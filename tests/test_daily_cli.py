"""`briefer daily` on the command line, against a loopback feed server that is also a fake
OpenAI-compatible endpoint: exit 0 when briefings are written, 3 when nothing is new, 1 when
the run failed, 0 with a message when another run holds the lock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.daily.lock import OLD_LOCK_NAME, RunLock
from briefer.model.cache import CallCache, store_path
from briefer.settings import find_home

from .conftest import TEST_MODEL
from .loopback import Served, serve
from .schema_fake import answer

DATA = Path(__file__).parent / "data" / "daily"
runner = CliRunner()


@pytest.fixture
def web() -> Iterator[Served]:
    with serve(DATA / "web", chat=answer) as served:
        yield served


def write_config(tmp_path: Path, web: Served, feeds: str) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for f in (DATA / "folder").iterdir():
        (inbox / f.name).write_bytes(f.read_bytes())
    config = tmp_path / "briefer.toml"
    config.write_text(
        'output = "out"\n'
        "window_hours = 1000000  # the fixture feeds are dated March 2026\n"
        "allow_private_addresses = true  # the feeds are on the loopback test server\n"
        f'[sources]\nfolders = ["inbox"]\nfeeds = [{feeds}]\n'
        f'[model]\nbase_url = "{web.base}/v1"\nmodel = "{TEST_MODEL}"\n',
        encoding="utf-8",
    )
    return config


def chat_calls(web: Served) -> int:
    return sum(1 for path, _ in web.requests if path == "/v1/chat/completions")


def test_daily_exit_codes_done_then_nothing_new(tmp_path: Path, web: Served) -> None:
    config = write_config(tmp_path, web, f'"{web.base}/metro-wire.xml"')
    result = runner.invoke(app, ["daily", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Done: 2 stories briefed")
    assert f"Skipped {web.base}/gone.html: HTTP 404" in result.stderr
    paid = chat_calls(web)
    assert paid > 0
    days = [p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")]
    assert len(days) == 1 and (days[0] / "index.md").is_file()
    assert len(list(days[0].glob("*.md"))) == 3  # two stories and the index

    result = runner.invoke(app, ["daily", "--config", str(config)])
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith("Nothing new: 0 stories briefed, 2 unchanged")
    assert chat_calls(web) == paid

    assert CallCache(store_path(find_home())).count() == paid
    log = runner.invoke(app, ["log", "-n", "100"])
    assert log.exit_code == 0 and "analyse" in log.stdout


def test_daily_exit_1_when_it_failed(tmp_path: Path, web: Served) -> None:
    config = write_config(tmp_path, web, f'"{web.base}/dead.xml"')
    config.write_text(config.read_text().replace('folders = ["inbox"]', 'folders = ["nowhere"]'))
    result = runner.invoke(app, ["daily", "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("Failed:")
    assert "Skipped" in result.stderr and "no such folder" in result.stderr


def test_daily_exit_0_with_a_message_when_locked(tmp_path: Path, web: Served) -> None:
    config = write_config(tmp_path, web, f'"{web.base}/metro-wire.xml"')
    lock = RunLock(tmp_path / "out" / OLD_LOCK_NAME)  # a run in progress: this process
    assert lock.acquire()
    result = runner.invoke(app, ["daily", "--config", str(config)])
    lock.release()
    assert result.exit_code == 0, result.output
    assert f"Another briefer daily run (pid {os.getpid()}) holds" in result.stdout
    assert web.requests == []


def test_daily_config_errors_exit_1_with_the_key(tmp_path: Path) -> None:
    config = tmp_path / "briefer.toml"
    config.write_text('output = "out"\nwindow_hours = 0\n[sources]\nfolders = ["a"]\n')
    result = runner.invoke(app, ["daily", "--config", str(config)])
    assert result.exit_code == 1
    assert f"{config}: line 2: window_hours: Input should be greater than 0" in result.stderr
