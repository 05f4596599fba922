"""A broken endpoint, a broken state folder and a full disk, through the CLI: each ends in one
`Error:` line and exit 1 (never a traceback), a corrupt cache in a warning, and every paid
attempt shows in `briefer log`."""

from __future__ import annotations

import errno
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from briefer import atomic
from briefer.cli import app
from briefer.model.cache import CallCache, store_path
from briefer.settings import find_home

from .conftest import SEEDS, TEST_MODEL
from .fakes import Canned, FakeServer, canned, completion
from .faults import full_disk
from .schema_fake import answer, served

runner = CliRunner()
KEY = "hunter2-not-a-real-key-4242"
TWO = [str(SEEDS / "001_194ea32b46bea275.txt"), str(SEEDS / "004_9e89ca09907b8ff5.txt")]
DAILY = Path(__file__).parent / "data" / "daily" / "folder"
NO_WAIT = {"retry-after": "0"}
TWO_RUN = 4  # model calls of briefing TWO: two analyses, the contrast and the write call
BRIDGE = "millbrook-harbor-bridge-repairs"  # the one story the daily folder holds


def store_file() -> Path:
    """The call store in this test's BRIEFER_HOME."""
    return store_path(find_home())


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


def roomy(body: dict[str, Any], headers: dict[str, str]) -> Canned:
    """A valid answer padded to 20 kB, too big for the pages the store has free."""
    return canned(completion(json.dumps(answer(body)) + " " * 20_000, pt=100_000))


def echo_key(body: dict[str, Any], headers: dict[str, str]) -> Canned:
    said = f"upstream failed\nfor key {headers['authorization'].removeprefix('Bearer ')}"
    data = json.dumps({"error": {"message": said}}).encode()
    return Canned(500, data, {"content-type": "application/json", **NO_WAIT})


def brief(server: FakeServer, *extra: str, articles: list[str] = TWO) -> Result:
    args = ["brief", *articles, "--base-url", server.base_url, "--model", TEST_MODEL, "-j", "1"]
    return runner.invoke(app, [*args, "--context-window", "8192", *extra])


def no_traceback(result: Result) -> None:
    """The CLI ended on purpose: an uncaught exception also exits 1 under CliRunner."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def one_error_line(result: Result) -> str:
    """The run failed with exit 1 and said so in exactly one line, with no traceback."""
    assert result.exit_code == 1, result.output
    no_traceback(result)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if not line.startswith("Warning: ")]
    assert len(errors) == 1 and errors[0].startswith("Error: "), result.stderr
    return errors[0]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<html><body>Welcome to nginx!</body></html>", "body that is not JSON"),
        (b"[]", "JSON that is not a chat completion"),
        (b'{"object": "chat.completion", "choices": []}', "sent no reply (no choices)"),
    ],
)
def test_brief_against_a_body_that_is_no_chat_completion_fails_in_one_line(
    body: bytes, says: str
) -> None:
    with FakeServer(Canned(200, body)) as server:
        line = one_error_line(brief(server, articles=TWO[:1]))
    assert says in line and server.base_url in line
    assert len(server.requests) == 1


def test_a_key_the_server_echoes_is_not_printed() -> None:
    with FakeServer.serving(echo_key, 3) as server:
        result = brief(server, articles=TWO[:1])
    line = one_error_line(result)
    assert "HTTP 500: upstream failed for key [redacted]" in line
    assert KEY not in result.output and len(server.requests) == 3  # one and two retries


def test_a_corrupt_cache_is_moved_aside_with_a_warning_and_the_brief_still_runs(
    tmp_path: Path,
) -> None:
    store_file().parent.mkdir(parents=True)
    store_file().write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)  # a header, then junk
    with FakeServer.serving(served, TWO_RUN) as server:
        result = brief(server, "-o", str(tmp_path / "b.md"))
    assert result.exit_code == 0, result.output
    # One warning about the store (the stand-in model's text draws warnings of its own).
    warnings = [line for line in result.stderr.splitlines() if "call cache" in line]
    assert len(warnings) == 1 and warnings[0].startswith("Warning: "), result.stderr
    assert "moved it to" in warnings[0], result.stderr
    assert len(list(store_file().parent.glob("cache.sqlite.corrupt-*"))) == 1
    assert CallCache(store_file()).count() == len(server.requests) > 0


def test_log_on_a_corrupt_cache_warns_and_starts_a_new_one() -> None:
    store_file().parent.mkdir(parents=True)
    store_file().write_bytes(b"not a database\n" * 100)
    result = runner.invoke(app, ["log"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Warning: The call cache")
    no_traceback(result)
    assert runner.invoke(app, ["log"]).stderr == ""  # rebuilt once, not on every look


def test_a_full_state_disk_fails_in_one_line_and_leaves_nothing_behind() -> None:
    CallCache(store_file())  # the store exists; the disk fills up during the run
    with full_disk(), FakeServer(roomy) as server:
        line = one_error_line(brief(server, articles=TWO[:1]))
    assert line.startswith(f"Error: Cannot use the call cache {store_file()}: database or disk")
    assert len(server.requests) == 1
    left = sorted(p.name for p in store_file().parent.iterdir())
    assert not [name for name in left if name.endswith(".tmp")], left


def _no_space(src: object, dst: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_output_disk_fails_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(atomic.os, "replace", _no_space)
    out = tmp_path / "out" / "b.md"
    with FakeServer.serving(served, TWO_RUN) as server:
        line = one_error_line(brief(server, "-o", str(out)))
    assert line.startswith(f"Error: Cannot write {out}: No space left on device")
    assert os.listdir(out.parent) == []  # no briefing, no temp file


def test_log_shows_each_attempt_with_its_outcome() -> None:
    invalid = canned(completion('{"not": "the schema"}', pt=11, ct=3))
    replies: list[Any] = [invalid, *[served] * TWO_RUN]  # the invalid analysis is re-asked
    with FakeServer(*replies) as server:
        assert brief(server).exit_code == 0
    result = runner.invoke(app, ["log", "-n", "100"])
    assert result.exit_code == 0, result.output
    header, *rows = [line.split() for line in result.stdout.splitlines()]
    assert header[:4] == ["when", "step", "outcome", "mode"]
    assert len(rows) == len(server.requests)  # every request, the re-ask included
    # Newest first: the first request (an analysis) was the invalid one.
    assert [row[3] for row in rows] == ["ok"] * (len(rows) - 1) + ["invalid"]
    assert rows[-1][2] == "analyse" and rows[-1][5] == "11+3"
    assert float(rows[-1][6]) >= 0.0  # seconds
    assert {row[-1] for row in rows} == {TEST_MODEL}


def test_a_no_cache_run_logs_its_attempts() -> None:
    with FakeServer.serving(served, TWO_RUN) as server:
        assert brief(server, "--no-cache").exit_code == 0
    assert CallCache(store_file()).count() == 0  # no reply stored...
    attempts = CallCache(store_file()).attempts(100)
    assert len(attempts) == len(server.requests) > 0  # ...but every paid attempt logged
    assert {a.outcome for a in attempts} == {"ok"}


def daily_config(tmp_path: Path, server: FakeServer) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for f in DAILY.iterdir():
        (inbox / f.name).write_bytes(f.read_bytes())
    config = tmp_path / "briefer.toml"
    config.write_text(
        'output = "out"\n[sources]\nfolders = ["inbox"]\n'
        f'[model]\nbase_url = "{server.base_url}"\nmodel = "{TEST_MODEL}"\n',
        encoding="utf-8",
    )
    return config


def day_folder(tmp_path: Path) -> Path:
    (folder,) = [p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")]
    return folder


def test_daily_with_a_body_that_is_not_json_fails_but_writes_its_index(tmp_path: Path) -> None:
    # One request per article of the story (they run in parallel; the second may not be sent
    # once the first has failed) and no re-ask.
    maintenance = Canned(200, b"<html>maintenance</html>")
    with FakeServer.serving(maintenance, 2, spare=1) as server:
        result = runner.invoke(app, ["daily", "--config", str(daily_config(tmp_path, server))])
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("Failed: 0 stories briefed")
    no_traceback(result)
    index = (day_folder(tmp_path) / "index.md").read_text().replace("\\", "")
    assert "body that is not JSON" in index and "maintenance" in index


def test_daily_keeps_an_echoed_key_out_of_the_index(tmp_path: Path) -> None:
    # The story's three first calls (two analyses, the contrast) in parallel, each tried three
    # times at most: how many are sent before the first failure stops the story is a race.
    with FakeServer.serving(echo_key, 9, spare=6) as server:
        result = runner.invoke(app, ["daily", "--config", str(daily_config(tmp_path, server))])
    assert result.exit_code == 1, result.output
    index = (day_folder(tmp_path) / "index.md").read_text().replace("\\", "")
    assert "upstream failed for key [redacted]" in index
    assert KEY not in index and KEY not in result.output
    no_traceback(result)


def test_daily_on_a_full_output_disk_fails_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeServer.serving(served, TWO_RUN) as server:
        config = daily_config(tmp_path, server)
        monkeypatch.setattr(atomic.os, "replace", _no_space)
        result = runner.invoke(app, ["daily", "--config", str(config)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "No space left on device" in errors[0], result.output
    no_traceback(result)


def test_daily_writes_its_index_when_a_story_cannot_be_written(tmp_path: Path) -> None:
    folder = tmp_path / "out" / date.today().isoformat()
    (folder / f"{BRIDGE}.md").mkdir(parents=True)  # not briefer's: the story's file is kept
    with FakeServer() as server:  # the story is not briefed: no model call
        result = runner.invoke(app, ["daily", "--config", str(daily_config(tmp_path, server))])
    assert result.exit_code == 1, result.output
    no_traceback(result)
    assert result.stdout.startswith("Failed: 0 stories briefed")
    index = (folder / "index.md").read_text().replace("\\", "")
    assert f"Did not overwrite {folder / BRIDGE}.md, which briefer did not write" in index


def test_init_that_cannot_write_fails_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    target = tmp_path / "a-file" / "briefer.toml"
    line = one_error_line(runner.invoke(app, ["init", str(target)]))
    assert line.startswith(f"Error: Cannot write {target}")
