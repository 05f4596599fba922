"""The run lock: one holder at a time, a gone holder's lock taken over (also when its pid now
names another program), a genuine live run in another process still blocks, a lock being
written is left alone, and release never removes another run's lock. The lock lives outside
OUTPUT, is 0600 and records no credentials, even when a killed run leaves it behind; an older
briefer's lock in OUTPUT still blocks while its run lives and is deleted once it is gone."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefer.daily.lock import RunLock, lock_path, pid_alive, process_start

ROOT = Path(__file__).resolve().parents[1]
DAILY = ROOT / "tests" / "data" / "daily"

# A child that holds the lock until its stdin closes (30 s at most), then releases it.
HOLDER = """
import select, sys
from pathlib import Path
from briefer.daily.lock import RunLock
lock = RunLock(Path(sys.argv[1]))
print("held" if lock.acquire() else "blocked", flush=True)
select.select([sys.stdin], [], [], 30)
lock.release()
"""


def dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def owner(path: Path) -> int:
    return int(json.loads(path.read_text())["pid"])


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds tmp_path/lock, as a running briefer would."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "held\n"
    yield child
    if child.poll() is None:
        child.kill()
    child.wait(timeout=10)
    for pipe in (child.stdin, child.stdout):
        if pipe is not None:
            pipe.close()


def test_one_holder_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "out" / "lock"
    first, second = RunLock(path), RunLock(path)
    assert first.acquire() and owner(path) == os.getpid()
    assert not second.acquire() and second.holder and second.holder.pid == os.getpid()
    second.release()
    assert path.exists()  # not its lock to remove
    first.release()
    assert not path.exists()
    assert second.acquire()
    second.release()


def test_the_lock_records_who_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    before = time.time()
    assert RunLock(path).acquire()
    record = json.loads(path.read_text())
    assert record["pid"] == os.getpid()
    assert before <= record["created"] <= time.time()
    assert record["command"] == sys.argv[:6]
    if Path("/proc/self/stat").exists():
        ticks = Path(f"/proc/{os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()[19]
        assert record["started"].endswith(f":{ticks}")


def test_a_live_run_in_another_process_blocks(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    lock = RunLock(tmp_path / "lock")
    assert not lock.acquire() and lock.holder and lock.holder.pid == holder.pid
    assert lock.took_over is None
    assert holder.stdin is not None
    holder.stdin.close()  # the holder finishes and releases
    holder.wait(timeout=30)
    assert lock.acquire()
    lock.release()


def test_a_dead_holders_lock_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    pid = dead_pid()
    assert not pid_alive(pid) and pid_alive(os.getpid())
    path.write_text(f"{pid}\n")  # as an older briefer wrote it
    lock = RunLock(path)
    assert lock.acquire() and lock.took_over == pid
    assert owner(path) == os.getpid()
    assert [p.name for p in tmp_path.iterdir()] == ["lock"]  # no stale copy left behind


@pytest.mark.skipif(not Path("/proc/1/stat").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(
    "content",
    [
        "1\n",  # an older briefer's lock whose pid is now init
        json.dumps({"pid": 1, "started": "an-earlier-boot:4242", "created": 0}),
    ],
)
def test_a_lock_naming_pid_1_is_taken_over(tmp_path: Path, content: str) -> None:
    path = tmp_path / "lock"
    path.write_text(content)
    assert pid_alive(1)
    lock = RunLock(path)
    assert lock.acquire() and lock.took_over == 1
    assert owner(path) == os.getpid()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_a_reused_pid_is_taken_over(tmp_path: Path) -> None:
    """The pid is alive, but it is not the process that took the lock: the start differs."""
    path = tmp_path / "lock"
    parent = os.getppid()
    started = process_start(parent)
    assert started is not None
    wrong = started.rsplit(":", 1)[0] + ":1"
    path.write_text(json.dumps({"pid": parent, "started": wrong, "created": time.time()}))
    lock = RunLock(path)
    assert lock.acquire() and lock.took_over == parent


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc (Linux)")
def test_an_older_briefers_lock_blocks_while_that_run_lives(tmp_path: Path) -> None:
    """A bare pid (the old format) counts when that process was started as briefer."""
    script = tmp_path / "briefer"
    script.write_text("import select, sys\nselect.select([sys.stdin], [], [], 30)\n")
    with subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE) as old_run:
        (tmp_path / "lock").write_text(f"{old_run.pid}\n")
        cmdline = Path(f"/proc/{old_run.pid}/cmdline")
        for _ in range(100):  # until it has exec'd, its command line is pytest's
            if str(script).encode() in cmdline.read_bytes():
                break
            time.sleep(0.05)
        lock = RunLock(tmp_path / "lock")
        try:
            assert not lock.acquire() and lock.holder and lock.holder.pid == old_run.pid
        finally:
            old_run.kill()
    assert lock.acquire() and lock.took_over == old_run.pid


def test_without_proc_a_live_pid_still_counts(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    path.write_text(json.dumps({"pid": os.getppid(), "started": "elsewhere:1"}))
    lock = RunLock(path, proc_root=tmp_path / "no-proc")
    assert not lock.acquire() and lock.holder and lock.holder.pid == os.getppid()
    if Path("/proc/self/stat").exists():  # where /proc tells, the start differs: taken over
        assert RunLock(path).acquire()


def test_an_unreadable_lock_is_left_alone_only_while_it_is_fresh(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    path.write_text("")
    assert not RunLock(path).acquire()
    old = time.time() - 3600
    os.utime(path, (old, old))
    lock = RunLock(path)
    assert lock.acquire() and owner(path) == os.getpid()


def test_release_leaves_a_lock_that_is_no_longer_ours(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    lock = RunLock(path)
    assert lock.acquire()
    path.write_text("1\n")  # e.g. taken over after a long suspend
    lock.release()
    assert path.read_text() == "1\n"


def test_the_lock_is_private_and_records_no_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = [
        "briefer",
        "daily",
        "--base-url",
        "http://alice:s3cretPW@127.0.0.1:9/v1?api_key=KEY123456",
        "--base-url=http://bob:hunter22@127.0.0.1:9/v1",
        "--api-key",
    ]
    monkeypatch.setattr(sys, "argv", [*argv, "sk-live-abcdef123456"])
    path = tmp_path / "locks" / "lock"
    lock = RunLock(path)
    assert lock.acquire()
    text = path.read_text()
    for secret in ("alice", "s3cretPW", "KEY123456", "bob", "hunter22", "sk-live"):
        assert secret not in text
    assert json.loads(text)["command"] == [
        "briefer",
        "daily",
        "--base-url",
        "http://127.0.0.1:9/v1?api_key=%5Bredacted%5D",
        "--base-url=http://127.0.0.1:9/v1",
        "--api-key",
    ]
    assert path.stat().st_mode & 0o777 == 0o600
    lock.release()


def test_the_lock_lives_outside_output_one_per_real_folder(tmp_path: Path) -> None:
    state, out = tmp_path / "state", tmp_path / "out"
    out.mkdir()
    (tmp_path / "link").symlink_to(out)
    path = lock_path(state, out)
    assert path.parent == state / "locks" and out not in path.parents
    assert lock_path(state, tmp_path / "link") == path
    assert lock_path(state, tmp_path / "other") != path


def test_an_old_lock_in_output_blocks_while_its_run_lives(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    """An older briefer's lock in OUTPUT (here tmp_path/lock, held by another process)."""
    lock = RunLock(tmp_path / "state" / "lock", old=tmp_path / "lock")
    assert not lock.acquire()
    assert lock.where == tmp_path / "lock" and lock.holder and lock.holder.pid == holder.pid
    assert not (tmp_path / "state" / "lock").exists()  # its own lock is not kept meanwhile


def test_an_old_lock_in_output_is_deleted_once_its_run_is_gone(tmp_path: Path) -> None:
    old = tmp_path / "out" / ".briefer-daily.lock"
    old.parent.mkdir()
    pid = dead_pid()
    old.write_text(json.dumps({"pid": pid, "command": ["briefer", "http://u:pw@h/v1"]}))
    lock = RunLock(tmp_path / "state" / "lock", old=old)
    assert lock.acquire() and lock.took_over == pid
    assert list(old.parent.iterdir()) == []  # gone, and not made anew in OUTPUT
    lock.release()
    assert not (tmp_path / "state" / "lock").exists()


def test_a_run_killed_mid_briefing_leaves_a_lock_with_no_credentials(tmp_path: Path) -> None:
    """SIGTERM (`systemctl stop`, `kill`) ends `briefer daily` at once: Python runs no cleanup
    for it, so the lock stays behind. It is outside OUTPUT, 0600, names no credentials, and
    the next run takes it over."""
    inbox, out, home = tmp_path / "inbox", tmp_path / "out", tmp_path / "home"
    inbox.mkdir()
    for f in (DAILY / "folder").iterdir():
        (inbox / f.name).write_bytes(f.read_bytes())
    config = tmp_path / "briefer.toml"
    config.write_text('output = "out"\n[sources]\nfolders = ["inbox"]\n')
    # An endpoint that accepts and never answers: the run waits on its first model call.
    with socket.create_server(("127.0.0.1", 0)) as endpoint:
        url = f"http://alice:s3cretPW@127.0.0.1:{endpoint.getsockname()[1]}/v1"
        env = {**os.environ, "BRIEFER_HOME": str(home), "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "briefer", "daily", "--config", str(config)]
        with subprocess.Popen(
            [*command, "--base-url", url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as daily:
            try:
                endpoint.settimeout(120)
                endpoint.accept()[0].close()  # the run is briefing, under its lock
                daily.send_signal(signal.SIGTERM)
                daily.wait(timeout=60)
            finally:
                daily.kill()
    assert daily.returncode == -signal.SIGTERM
    lock = lock_path(home, out)
    assert [p.name for p in (home / "locks").iterdir()] == [lock.name]
    assert not any("lock" in p.name for p in out.rglob("*"))
    text = lock.read_text()
    assert json.loads(text)["pid"] == daily.pid
    assert "s3cretPW" not in text and "alice" not in text
    assert lock.stat().st_mode & 0o777 == 0o600
    after = RunLock(lock)
    assert after.acquire() and after.took_over == daily.pid
    after.release()
