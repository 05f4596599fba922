"""The run lock: one holder at a time, a dead holder's lock taken over, a lock being written
left alone, and release never removes another run's lock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from briefer.runlock import RunLock, pid_alive


def dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def test_one_holder_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "out" / "lock"
    first, second = RunLock(path), RunLock(path)
    assert first.acquire() and path.read_text() == f"{os.getpid()}\n"
    assert not second.acquire() and second.holder == os.getpid()
    second.release()
    assert path.exists()  # not its lock to remove
    first.release()
    assert not path.exists()
    assert second.acquire()
    second.release()


def test_a_dead_holders_lock_is_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    pid = dead_pid()
    assert not pid_alive(pid) and pid_alive(os.getpid())
    path.write_text(f"{pid}\n")
    lock = RunLock(path)
    assert lock.acquire() and lock.took_over == pid
    assert path.read_text() == f"{os.getpid()}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["lock"]  # no stale copy left behind


def test_an_unreadable_lock_is_left_alone_only_while_it_is_fresh(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    path.write_text("")
    assert not RunLock(path).acquire()
    old = time.time() - 3600
    os.utime(path, (old, old))
    lock = RunLock(path)
    assert lock.acquire() and path.read_text() == f"{os.getpid()}\n"


def test_release_leaves_a_lock_that_is_no_longer_ours(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    lock = RunLock(path)
    assert lock.acquire()
    path.write_text("1\n")  # e.g. taken over after a long suspend
    lock.release()
    assert path.read_text() == "1\n"
