"""A lock file, so a scheduled run that starts while the last one is still working backs off
instead of paying for the same calls twice and racing it on the same files.

The file is created with O_EXCL and holds the owner's pid. A lock whose pid is no longer
running was left by a killed run and is taken over; the takeover renames the stale file away
first, so two runs finding the same stale lock cannot both win.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

LOCK_NAME = ".briefer-daily.lock"
# A lock file with no pid younger than this is still being written; older, it is garbage.
_UNREADABLE_GRACE = 60.0


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (ours or another user's)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is just not ours
    return True


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


class RunLock:
    """`acquire()` returns False (and holds nothing) when another live run holds the lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.held = False
        self.holder: int | None = None
        self.took_over: int | None = None  # pid of the dead run whose lock was taken over

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(f"{os.getpid()}\n")
        self.held = True
        return True

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self._create():
            return True
        pid = _read_pid(self.path)
        if pid is not None and pid_alive(pid):
            self.holder = pid
            return False
        if pid is None and _age(self.path) < _UNREADABLE_GRACE:
            # Being written this instant by another run: do not steal it.
            return False
        stale = self.path.with_name(f"{self.path.name}.stale.{os.getpid()}")
        try:
            os.rename(self.path, stale)
        except FileNotFoundError:
            pass  # another run removed it first; race for the fresh one below
        else:
            moved = _read_pid(stale)
            if moved is not None and moved != pid and pid_alive(moved):
                # A live run took it over between our read and our rename: give it back.
                with contextlib.suppress(OSError):
                    os.rename(stale, self.path)
                self.holder = moved
                return False
            stale.unlink(missing_ok=True)
            self.took_over = pid
        if self._create():
            return True
        self.holder = _read_pid(self.path)
        return False

    def release(self) -> None:
        if self.held and _read_pid(self.path) == os.getpid():
            self.path.unlink(missing_ok=True)
        self.held = False
