"""A lock file, so a scheduled run that starts while the last one is still working backs off
instead of paying for the same calls twice and racing it on the same files.

The lock lives in briefer's state folder (`locks/daily-<hash of OUTPUT's real path>.lock`), not
in OUTPUT: OUTPUT is meant to be served as a website, and a lock left there by a killed run would
be served with it. The file is created with O_EXCL, mode 0600, and holds a JSON record of its
owner: pid, the process's start time (Linux: /proc/PID/stat field 22, with the boot id), host,
command line (credentials masked) and creation time. A lock an older briefer left in OUTPUT
(`.briefer-daily.lock`) still blocks while its run lives, and is deleted once that run is gone.
A holder counts as running only if its pid is alive *and* is the same process (same start on
the same boot): after a reboot, a pid in an old lock names some other program, maybe pid 1.
Where /proc cannot tell (not Linux), a live pid counts as running; a lock from an older briefer
(a bare pid) counts as running only if that process was started as briefer. A lock
left by a run that is gone is taken over; the takeover renames the stale file away first, so
two runs finding the same stale lock cannot both win.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sys
import time
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ..redact import redact_argv

OLD_LOCK_NAME = ".briefer-daily.lock"  # where older briefers kept it: in OUTPUT itself
# A lock file with no pid younger than this is still being written; older, it is garbage.
_UNREADABLE_GRACE = 60.0
# A run holding the lock longer than this is most likely stuck: say so loudly.
OLD_LOCK_HOURS = 12.0
# Where the kernel tells a process's start time and command line (Linux).
PROC_ROOT = Path("/proc")


def lock_path(state_dir: Path, output: Path) -> Path:
    """The lock of the runs writing into `output`: one per real folder, whatever path names it."""
    key = hashlib.sha256(str(output.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return state_dir / "locks" / f"daily-{key[:16]}.lock"


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


def process_start(pid: int, proc_root: Path = PROC_ROOT) -> str | None:
    """`<boot id>:<start time in clock ticks>` of a process, or None where /proc cannot tell."""
    try:
        stat = (proc_root / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
        boot = (proc_root / "sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name may hold spaces and ")"
    return f"{boot}:{fields[19]}" if len(fields) > 19 else None  # field 22 of the line


def _runs_briefer(pid: int, proc_root: Path) -> bool | None:
    """Whether the process was started as `briefer ...` or `python -m briefer ...` (None:
    cannot tell)."""
    try:
        argv = (proc_root / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    return any(Path(arg.decode("utf-8", errors="replace")).name == "briefer" for arg in argv[:3])


class LockRecord(BaseModel):
    """Who holds the lock. Only `pid` is known for a lock written by an older briefer."""

    pid: int
    started: str | None = None
    host: str | None = None
    command: list[str] = Field(default_factory=list)
    created: float | None = None  # time.time() when the lock was taken

    @classmethod
    def mine(cls, proc_root: Path = PROC_ROOT) -> LockRecord:
        return cls(
            pid=os.getpid(),
            started=process_start(os.getpid(), proc_root),
            host=socket.gethostname(),
            command=redact_argv(sys.argv[:6]),
            created=time.time(),
        )

    @classmethod
    def parse(cls, text: str) -> LockRecord | None:
        if text.strip().isdigit():
            return cls(pid=int(text))
        try:
            return cls.model_validate_json(text)
        except (ValidationError, ValueError):
            return None

    def running(self, proc_root: Path = PROC_ROOT) -> bool:
        """True when the process that wrote this record is still running."""
        if self.host and self.host != socket.gethostname():
            return True  # another machine's run on a shared folder: trust it
        if not pid_alive(self.pid):
            return False
        now = process_start(self.pid, proc_root)
        if now is None:
            return True  # no /proc: a live pid is all that can be known
        if self.started is None:  # an older briefer's lock
            return _runs_briefer(self.pid, proc_root) is not False
        return now == self.started


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


class RunLock:
    """`acquire()` returns False (and holds nothing) when another live run holds the lock.

    `old` is where an older briefer kept the same lock (in OUTPUT): a live run holding it there
    still blocks, and a gone run's file is deleted, never made anew. `proc_root` is where
    process facts are read (/proc); a folder without them is a system where only a pid's
    liveness can be known.
    """

    def __init__(self, path: Path, proc_root: Path = PROC_ROOT, old: Path | None = None) -> None:
        self.path = path
        self.old = old
        self.proc_root = proc_root
        self.held = False
        self.where = path  # the lock file that blocked, when acquire() failed
        self.holder: LockRecord | None = None  # who holds it, when acquire() failed
        self.took_over: int | None = None  # pid of the gone run whose lock was taken over
        self._written: str | None = None

    def holder_age(self) -> float | None:
        """Seconds the holder has held the lock (from its record, else the file's age)."""
        if self.holder is None:
            return None
        if self.holder.created is not None:
            return time.time() - self.holder.created
        return _age(self.where)

    def _create(self) -> bool:
        try:  # 0600: the record names a command line, which is nobody else's business
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        text = LockRecord.mine(self.proc_root).model_dump_json() + "\n"
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        self._written = text
        self.held = True
        return True

    def _blocked_by(self, path: Path, text: str | None) -> bool:
        self.where = path
        self.holder = LockRecord.parse(text) if text is not None else None
        return False

    def acquire(self) -> bool:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not (self._create() or self._claim(self.path)):
            return False
        if self.old is not None and not self._claim(self.old):
            self.release()
            return False
        return True

    def _claim(self, path: Path) -> bool:
        """Take over the lock at `path` if its run is gone (our own lock file is then made
        anew; an old one in OUTPUT is only deleted); False if a live run holds it."""
        text = _read(path)
        if text is None and path != self.path and not path.exists():
            return True  # no old lock
        record = LockRecord.parse(text) if text is not None else None
        if record is not None and record.running(self.proc_root):
            return self._blocked_by(path, text)
        if record is None and _age(path) < _UNREADABLE_GRACE:
            return self._blocked_by(path, None)  # being written this instant: do not steal it
        stale = path.with_name(f"{path.name}.stale.{os.getpid()}")
        try:
            os.rename(path, stale)
        except FileNotFoundError:
            pass  # another run removed it first; race for the fresh one below
        else:
            moved = _read(stale)
            moved_record = LockRecord.parse(moved) if moved is not None else None
            if moved != text and moved_record is not None and moved_record.running(self.proc_root):
                # A live run took it over between our read and our rename: give it back.
                with contextlib.suppress(OSError):
                    os.rename(stale, path)
                return self._blocked_by(path, moved)
            stale.unlink(missing_ok=True)
            self.took_over = record.pid if record else None
        if path != self.path or self._create():
            return True
        return self._blocked_by(path, _read(path))

    def release(self) -> None:
        if self.held and _read(self.path) == self._written:
            self.path.unlink(missing_ok=True)
        self.held = False


def describe(record: LockRecord) -> str:
    """`pid N` (and the host, when it is another machine) for messages."""
    host = f" on {record.host}" if record.host and record.host != socket.gethostname() else ""
    return f"pid {record.pid}{host}"
