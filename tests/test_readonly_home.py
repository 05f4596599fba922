"""A state folder briefer may not write is still read: `briefer log` shows the log, a cached run
completes from the cache, and a run that pays for new replies finishes and says once that they
could not be stored. What is really wrong is said: a read-only file, folder or file system, a
folder where the cache file should be.

The tests run as root, where chmod stops no write, so nothing here trusts a chmod alone: each
restricted run is a real `briefer` process run as `nobody` (setpriv) when the tests are root, as
the tester when they are not (chmod then binds), or as root inside a read-only bind mount
(unshare). SQLite and the kernel refuse the writes; a case skips where the sandbox cannot set it
up, rather than pretending. The judges are the exit code, the server's request count, the lines
printed, and the cache file read back with sqlite3.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app

from .conftest import ROOT, SEEDS, TEST_MODEL
from .fakes import FakeServer
from .schema_fake import served

NOBODY = 65534
ONE = str(SEEDS / "001_194ea32b46bea275.txt")
OTHER = str(SEEDS / "004_9e89ca09907b8ff5.txt")
ONE_RUN = 3  # model calls of briefing ONE, or OTHER, with the smallest valid replies
CACHE = "cache.sqlite"
MOUNT_RO = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"'
Run = subprocess.CompletedProcess[str]


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder another user can reach (pytest's own temp folders are 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="briefer-ro-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:  # undo the test's chmods (for a non-root tester)
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder)


def env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "BRIEFER_HOME": str(home),
        "OPENAI_API_KEY": "test-key-not-real",
        "HOME": str(home.parent),
    }


@functools.cache
def _works(*prefix: str) -> bool:
    """Whether `prefix` can run briefer here (setpriv or unshare present and allowed, and the
    repository and its Python readable by that user)."""
    probe = [*prefix, sys.executable, "-c", "import briefer.cli"]
    try:
        done = subprocess.run(probe, env=env(Path("/")), capture_output=True, check=False)
    except OSError:
        return False
    return done.returncode == 0


def as_someone_who_cannot_write() -> list[str]:
    """The tester when not root (chmod binds them); else `nobody`, or skip."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    if not _works(*prefix):
        pytest.skip("root without a working setpriv to nobody: chmod cannot make a file read-only")
    return prefix


def in_read_only_mount(folder: Path) -> list[str]:
    """Root, in a mount namespace where `folder` is a read-only bind mount, or skip."""
    prefix = ["unshare", "-m", "sh", "-c", MOUNT_RO, str(folder)]
    if os.geteuid() != 0 or not shutil.which("unshare") or not _works(*prefix[:-1], "/tmp"):
        pytest.skip("no read-only bind mount here (needs root and unshare)")
    return prefix


def cli(prefix: list[str], home: Path, *args: str, server: FakeServer | None = None) -> Run:
    model = ["--base-url", server.base_url, "--model", TEST_MODEL] if server else []
    knobs = ["-j", "1", "--context-window", "8192"] if server else []
    argv = [*prefix, sys.executable, "-m", "briefer", *args, *model, *knobs]
    return subprocess.run(argv, env=env(home), capture_output=True, text=True, check=False)


def filled(home: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> int:
    """Brief ONE into `home` in this (writing) process; how many attempts it logged."""
    monkeypatch.setenv("BRIEFER_HOME", str(home))
    args = ["brief", ONE, "--base-url", server.base_url, "--model", TEST_MODEL, "-j", "1"]
    result = CliRunner().invoke(app, [*args, "--context-window", "8192"])
    assert result.exit_code == 0, result.output
    return attempts(home / CACHE)


def attempts(path: Path) -> int:
    """The attempts in the file, read with no writer about (immutable: nothing is created)."""
    db = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)
    try:
        return int(db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0])
    finally:
        db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_lines(run: Run) -> list[str]:
    return [line for line in run.stderr.splitlines() if "call cache" in line]


def log_rows(run: Run) -> int:
    assert run.returncode == 0, run.stderr
    header, *rows = run.stdout.splitlines()
    assert header.split()[:3] == ["when", "step", "outcome"]
    return len(rows)


def _folder_and_file(home: Path) -> tuple[list[str], str]:
    (home / CACHE).chmod(0o444)
    home.chmod(0o555)
    return as_someone_who_cannot_write(), "neither it nor its folder is writable"


def _file_only(home: Path) -> tuple[list[str], str]:
    (home / CACHE).chmod(0o444)
    prefix = as_someone_who_cannot_write()
    if prefix:
        os.chown(home, NOBODY, NOBODY)  # nobody may write the folder, not root's file
    return prefix, "the file is not writable"


def _mount(home: Path) -> tuple[list[str], str]:
    return in_read_only_mount(home), "it is on a read-only file system"


@pytest.mark.parametrize("make_read_only", [_folder_and_file, _file_only, _mount])
def test_a_read_only_home_is_read_and_a_paid_run_says_its_replies_were_not_stored(
    shared: Path, monkeypatch: pytest.MonkeyPatch, make_read_only: object
) -> None:
    home = shared / "home"
    with FakeServer.serving(served, 2 * ONE_RUN) as server:  # filling, then briefing OTHER
        logged = filled(home, server, monkeypatch)
        assert callable(make_read_only)
        prefix, why = make_read_only(home)
        before = digest(home / CACHE)

        assert log_rows(cli(prefix, home, "log", "-n", "100")) == logged > 0

        paid = len(server.requests)
        cached = cli(prefix, home, "brief", ONE, server=server)
        assert cached.returncode == 0, cached.stderr
        assert len(server.requests) == paid  # every reply came from the read-only cache
        assert cached.stdout.startswith("# ") and cache_lines(cached) == []  # nothing was lost

        new = cli(prefix, home, "brief", OTHER, server=server)
    assert new.returncode == 0, new.stderr
    assert len(server.requests) == paid + ONE_RUN  # this one paid
    assert new.stdout.startswith("# ") and "Traceback" not in new.stderr
    assert cache_lines(new) == [
        f"Warning: The call cache {home / CACHE} is read-only ({why}), so new paid replies "
        "could not be stored and a re-run pays for them again; check its permissions and "
        "mount, or point BRIEFER_HOME at a writable folder."
    ]
    assert digest(home / CACHE) == before and attempts(home / CACHE) == logged


def test_a_read_only_wal_file_without_its_wal_and_shm_is_read(
    shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = shared / "home"
    with FakeServer.serving(served, ONE_RUN) as server:
        logged = filled(home, server, monkeypatch)
        store = home / CACHE
        # The writer closed: SQLite checkpointed and removed -wal and -shm; the file stays WAL.
        assert sorted(p.name for p in home.iterdir()) == [CACHE]
        assert store.read_bytes()[18:20] == b"\x02\x02"
        prefix, _ = _folder_and_file(home)
        # Plain read-only SQLite cannot read it: it would have to create the -shm.
        plain = (
            "import sqlite3, sys\n"
            "sqlite3.connect(sys.argv[1], uri=True).execute('PRAGMA user_version')"
        )
        refused = subprocess.run(
            [*prefix, sys.executable, "-c", plain, f"{store.as_uri()}?mode=ro"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert "readonly database" in refused.stderr, refused.stderr

        assert log_rows(cli(prefix, home, "log", "-n", "100")) == logged
        paid = len(server.requests)
        cached = cli(prefix, home, "brief", ONE, server=server)
    assert cached.returncode == 0, cached.stderr
    assert len(server.requests) == paid and cache_lines(cached) == []
    assert sorted(p.name for p in home.iterdir()) == [CACHE]


def test_a_cached_run_whose_token_counts_are_new_warns_once_it_cannot_store_them(
    shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = shared / "home"
    with FakeServer.serving(served, ONE_RUN) as server:
        filled(home, server, monkeypatch)
        db = sqlite3.connect(home / CACHE)
        with db:
            db.execute("DELETE FROM token_counts")  # as a cache from before they were kept
        db.close()
        prefix, why = _folder_and_file(home)
        paid = len(server.requests)
        run = cli(prefix, home, "brief", ONE, server=server)
    assert run.returncode == 0, run.stderr
    assert len(server.requests) == paid
    assert cache_lines(run) == [
        f"Warning: The call cache {home / CACHE} is read-only ({why}), so this run's attempt "
        "log and token counts are not stored; check its permissions and mount, or point "
        "BRIEFER_HOME at a writable folder."
    ]


def test_a_home_that_cannot_be_created_still_briefs_and_says_why(
    shared: Path,
) -> None:
    shared.chmod(0o555)
    home = shared / "home"
    prefix = as_someone_who_cannot_write()
    log = cli(prefix, home, "log")
    assert log.returncode == 0 and log.stdout.startswith("No model calls recorded yet")
    with FakeServer.serving(served, ONE_RUN) as server:
        run = cli(prefix, home, "brief", ONE, server=server)
    assert run.returncode == 0, run.stderr
    assert len(server.requests) > 0 and not home.exists()
    (line,) = cache_lines(run)
    assert "is read-only (its folder cannot be created: Permission denied)" in line
    assert "could not be stored" in line


def stated(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def one_error(run: Run) -> str:
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    (line,) = stated(run.stderr)
    assert line.startswith("Error: ")
    return line


def test_an_unreadable_cache_file_is_an_error_about_permissions(
    shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = shared / "home"
    with FakeServer.serving(served, ONE_RUN) as server:
        filled(home, server, monkeypatch)
    (home / CACHE).chmod(0o000)
    line = one_error(cli(as_someone_who_cannot_write(), home, "log"))
    assert line == (
        f"Error: Cannot use the call cache {home / CACHE}: unable to open database file; check "
        "the permissions of the file and its folder or point BRIEFER_HOME elsewhere."
    )


def test_a_corrupt_cache_in_a_read_only_home_is_an_error_that_says_both(shared: Path) -> None:
    home = shared / "home"
    home.mkdir()
    (home / CACHE).write_bytes(b"not a database\n" * 400)
    prefix, why = _folder_and_file(home)
    line = one_error(cli(prefix, home, "log"))
    assert line.startswith(f"Error: The call cache {home / CACHE} is unreadable (file is not")
    assert f"cannot be rebuilt, as it is read-only ({why})" in line
    assert sorted(p.name for p in home.iterdir()) == [CACHE]  # nothing moved aside


def test_a_folder_where_the_cache_file_should_be_is_named() -> None:
    runner = CliRunner()
    (Path(os.environ["BRIEFER_HOME"]) / CACHE).mkdir(parents=True)
    for args in (["log"], ["brief", ONE, "--base-url", "http://127.0.0.1:9/v1", "-m", "m"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert stated(result.stderr) == [
            f"Error: The call cache {Path(os.environ['BRIEFER_HOME']) / CACHE} is a folder, not "
            "a file; move that folder away or point BRIEFER_HOME at another folder."
        ]


def test_a_file_where_the_home_folder_should_be_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "home").write_text("not a folder")
    monkeypatch.setenv("BRIEFER_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(
        app, ["brief", ONE, "--base-url", "http://127.0.0.1:9/v1", "-m", "m"]
    )
    assert result.exit_code == 1
    assert stated(result.stderr) == [
        f"Error: Cannot create the folder of the call cache {tmp_path / 'home' / CACHE}: part "
        "of that path is a file, not a folder; move it away or point BRIEFER_HOME at another "
        "folder."
    ]
