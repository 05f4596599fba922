"""The call store: one SQLite file holding validated model replies (the cache, so a re-run pays
for nothing twice) and every paid HTTP attempt (the log behind `briefer log`).

Replies are keyed by everything that determines them (endpoint, model, messages, schema,
sampling settings); only replies that validated are stored, so a bad reply is never replayed.
Attempts are logged whatever became of them: re-asks, rejected modes, cut replies, runs with
the reply cache off. The schema is versioned with `PRAGMA user_version` and migrated in place.
A corrupt file is moved aside and rebuilt (with a warning to show); any other SQLite failure,
such as a full disk, is one StorageError that says what is wrong.

A store that cannot be written (a read-only file, folder or file system) is still read: it is
opened read-only, and what a run would add to it is dropped with one warning, so a cached run
from a read-only home works and a paid one still finishes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ..errors import StorageError
from ..settings import Home

CACHE_NAME = "cache.sqlite"
R = TypeVar("R")

# Migration i takes a file from user_version i to i + 1. Version 0 is a new file or one from
# the first release (which had the calls table and no version).
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE IF NOT EXISTS calls (
            key TEXT PRIMARY KEY,
            step TEXT NOT NULL,
            model TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            raw TEXT NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            seconds REAL NOT NULL,
            created REAL NOT NULL
        )""",
    ),
    (
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            created REAL NOT NULL,
            step TEXT NOT NULL,
            model TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            mode TEXT NOT NULL,
            outcome TEXT NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            seconds REAL NOT NULL,
            detail TEXT NOT NULL
        )""",
        "CREATE INDEX attempts_created ON attempts (created)",
        # Every reply cached before the log existed was one paid, successful attempt.
        """INSERT INTO attempts (created, step, model, endpoint, mode, outcome, prompt_tokens,
                completion_tokens, seconds, detail)
            SELECT created, step, model, endpoint, '?', 'ok', prompt_tokens, completion_tokens,
                seconds, '' FROM calls ORDER BY created""",
    ),
    (
        # Token counts by text digest, so a re-run over the same articles need not load the
        # tokenizer (a third of a cached run's time): they are a pure function of the text.
        """CREATE TABLE token_counts (
            encoding TEXT NOT NULL,
            digest TEXT NOT NULL,
            tokens INTEGER NOT NULL,
            created REAL NOT NULL,
            PRIMARY KEY (encoding, digest)
        )""",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)
MAX_TOKEN_COUNTS = 200_000  # rows kept per encoding, newest first (a few MB)
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
# SQLite's ways of saying the file, its folder or its -wal/-shm cannot be written.
_DENIED = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN}
_DENIED_ERRNO = {errno.EACCES, errno.EPERM, errno.EROFS}
_WRITABLE_HOME = "check its permissions and mount, or point BRIEFER_HOME at a writable folder"
# What is dropped when the store is read-only, said once each; a lost reply says it all.
_LOST = {
    "reply": "so new paid replies could not be stored and a re-run pays for them again",
    "log": "so this run's attempt log and token counts are not stored",
}
# One lock for every store in the process: an operation and a rebuild never overlap.
_lock = threading.RLock()


class LoggedCall(BaseModel):
    created: float
    step: str
    model: str
    endpoint: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float


class Attempt(BaseModel):
    """One HTTP attempt at a model call and what became of it."""

    step: str
    model: str
    endpoint: str  # always the redacted endpoint
    mode: str
    outcome: str  # ok, invalid, rejected_mode, truncated, refused, bad_reply, http_error, ...
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    detail: str = ""  # a short, redacted reason


class LoggedAttempt(Attempt):
    created: float


def cache_key(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def store_path(home: Home) -> Path:
    """The call store of the state folders `home`."""
    return home.data_dir / CACHE_NAME


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _opened(uri: str) -> sqlite3.Connection:
    """A connection to `uri` that has read the file (the first read opens it, and its WAL
    index), so a file that cannot be read fails here."""
    db = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        _version(db)
    except BaseException:
        db.close()
        raise
    return db


class _Denied(Exception):
    """SQLite refused to write (the store is read-only from then on)."""


def _check_kind(path: Path) -> None:
    """A folder (or a FIFO, a device) where the store's file should be is the user's to move."""
    if path.is_dir():
        raise StorageError(
            f"The call cache {path} is a folder, not a file; move that folder away or point "
            "BRIEFER_HOME at another folder."
        )
    if path.exists() and not path.is_file():
        raise StorageError(
            f"The call cache {path} is not a regular file; move it away or point BRIEFER_HOME "
            "at another folder."
        )


def _make_folder(path: Path) -> str | None:
    """Create the store's folder; why it cannot be, when that is for want of permission."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        what = exc.strerror or str(exc)
        if exc.errno in _DENIED_ERRNO:
            return f"its folder cannot be created: {what}"
        if exc.errno in (errno.EEXIST, errno.ENOTDIR):
            what = "part of that path is a file, not a folder"
        fix = "free some space" if exc.errno == errno.ENOSPC else "move it away"
        raise StorageError(
            f"Cannot create the folder of the call cache {path}: {what}; {fix} or point "
            "BRIEFER_HOME at another folder."
        ) from exc
    return None


def _unwritable(path: Path) -> str | None:
    """Why the store at `path` cannot be written (SQLite also writes its folder: -wal, -shm),
    or None. Root passes os.access on any file, but not on a read-only file system."""
    folder = path.parent
    if hasattr(os, "statvfs") and os.statvfs(folder).f_flag & os.ST_RDONLY:
        return "it is on a read-only file system"
    file = not path.exists() or os.access(path, os.R_OK | os.W_OK)
    if not os.access(folder, os.W_OK | os.X_OK):
        return "its folder is not writable" if file else "neither it nor its folder is writable"
    return None if file else "the file is not writable"


class CallCache:
    """One connection per operation keeps it safe across the analyse step's worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[str] = []
        self._ready = False
        _check_kind(path)
        # Why nothing can be stored, if so: found now, or on the first write SQLite refuses.
        self.read_only = _make_folder(path) or _unwritable(path)
        self._query: str | None = None  # how this read-only file opens
        self._memory: sqlite3.Connection | None = None  # a read-only store served from memory
        self._told: set[str] = set()
        self._read(lambda db: None)  # open (and migrate, or rebuild) now, not mid-run

    # -- plumbing ------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self.read_only is not None:
            return self._reader()
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            if not self._ready:
                self._migrate(db)
                self._ready = True
        except BaseException:
            db.close()
            raise
        return db

    def _reader(self) -> sqlite3.Connection:
        """A connection that writes nothing to disk: the file opened read-only, or in memory
        when there is no file or it is too old to read without migrating it."""
        if self._memory is not None:
            return self._memory
        source = self._open_read_only() if self.path.exists() else None
        if source is not None and _version(source) >= SCHEMA_VERSION:
            return source
        memory = sqlite3.connect(":memory:", check_same_thread=False)
        if source is not None:
            source.backup(memory)
            source.close()
        self._migrate(memory)
        self._memory = memory
        return memory

    def _open_read_only(self) -> sqlite3.Connection:
        """`mode=ro`, with locking; a WAL file whose -shm is missing and cannot be created
        opens only as immutable (it then reads what was last checkpointed into the file)."""
        uri = self.path.absolute().as_uri()
        if self._query is None:
            try:
                db = _opened(f"{uri}?mode=ro")
            except sqlite3.Error as exc:
                if _primary_code(exc) not in _DENIED:
                    raise
                self._query = "mode=ro&immutable=1"
            else:
                self._query = "mode=ro"
                return db
        return _opened(f"{uri}?{self._query}")

    def _migrate(self, db: sqlite3.Connection) -> None:
        if _version(db) >= SCHEMA_VERSION:
            return  # nothing to write
        db.execute("BEGIN IMMEDIATE")  # two processes opening an old file migrate it once
        try:
            version = _version(db)
            for step in range(version, SCHEMA_VERSION):
                for statement in _MIGRATIONS[step]:
                    db.execute(statement)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.commit()
        except BaseException:
            db.rollback()
            raise

    def _once(self, op: Callable[[sqlite3.Connection], R]) -> R:
        db = self._connect()
        try:
            with db:
                return op(db)
        finally:
            if db is not self._memory:
                db.close()

    def _run(self, op: Callable[[sqlite3.Connection], R]) -> R:
        """Run `op` on a fresh connection; rebuild a corrupt file once, map the rest. A write
        SQLite refuses for want of permission makes the store read-only and raises _Denied."""
        try:
            return self._once(op)
        except sqlite3.Error as exc:
            code = _primary_code(exc)
            if code in _DENIED and self.read_only is None:
                self.read_only = f"SQLite says: {exc}"
                raise _Denied from exc
            if code not in _CORRUPT:
                raise self._storage_error(exc) from exc
            if self.read_only is not None:
                raise StorageError(
                    f"The call cache {self.path} is unreadable ({exc}) and cannot be rebuilt, "
                    f"as it is read-only ({self.read_only}); {_WRITABLE_HOME}."
                ) from exc
            self._move_aside(exc)
        try:
            return self._once(op)
        except sqlite3.Error as exc:
            raise self._storage_error(exc) from exc

    def _read(self, op: Callable[[sqlite3.Connection], R]) -> R:
        with _lock:
            try:
                return self._run(op)
            except _Denied:
                return self._run(op)  # again, read-only now

    def _write(self, op: Callable[[sqlite3.Connection], None], lost: str) -> None:
        """Run a write; on a read-only store drop it, and warn once that `lost` was lost."""
        with _lock:
            if self.read_only is None:
                try:
                    return self._run(op)
                except _Denied:
                    pass
            if lost not in self._told:
                self._told.update({lost, "log"})  # a lost reply's warning says the rest
                self.warnings.append(
                    f"The call cache {self.path} is read-only ({self.read_only}), "
                    f"{_LOST[lost]}; {_WRITABLE_HOME}."
                )

    def _storage_error(self, exc: sqlite3.Error) -> StorageError:
        code = _primary_code(exc)
        if code == sqlite3.SQLITE_FULL:
            fix = "free some space there or point BRIEFER_HOME at another folder"
        elif code in _DENIED:
            fix = "check the permissions of the file and its folder or point BRIEFER_HOME elsewhere"
        elif code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            fix = "another briefer is using it: try again when it is done"
        else:
            fix = "point BRIEFER_HOME at another folder"
        return StorageError(f"Cannot use the call cache {self.path}: {exc}; {fix}.")

    def _move_aside(self, exc: sqlite3.Error) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, aside.with_name(aside.name + suffix))
        except OSError as err:
            raise StorageError(
                f"The call cache {self.path} is corrupt ({exc}) and cannot be moved aside "
                f"({err.strerror or err}); delete it to start a new one."
            ) from err
        self._ready = False
        self.warnings.append(
            f"The call cache {self.path} was unreadable ({exc}); moved it to {aside} and "
            "started a new one, so earlier replies will be paid for again."
        )

    def take_warnings(self) -> list[str]:
        """The warnings so far (a rebuilt file, writes dropped), each handed out once."""
        with _lock:
            taken, self.warnings = self.warnings, []
        return taken

    # -- replies -------------------------------------------------------------------------

    def get(self, key: str) -> tuple[str, int, int] | None:
        row = self._read(
            lambda db: db.execute(
                "SELECT raw, prompt_tokens, completion_tokens FROM calls WHERE key = ?", (key,)
            ).fetchone()
        )
        return (str(row[0]), int(row[1]), int(row[2])) if row else None

    def put(
        self,
        key: str,
        *,
        step: str,
        model: str,
        endpoint: str,
        raw: str,
        prompt_tokens: int,
        completion_tokens: int,
        seconds: float,
        mode: str = "?",
    ) -> None:
        """Store a validated reply and log the paid attempt that produced it, together (on a
        read-only store, neither: a warning says so)."""
        now = time.time()
        attempt = Attempt(
            step=step,
            model=model,
            endpoint=endpoint,
            mode=mode,
            outcome="ok",
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            seconds=seconds,
        )

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, step, model, endpoint, raw, prompt_tokens, completion_tokens, seconds, now),
            )
            _insert_attempt(db, attempt, now)

        self._write(write, "reply")

    def count(self) -> int:
        return int(self._read(lambda db: db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]))

    def recent(self, limit: int = 20) -> list[LoggedCall]:
        """The newest stored replies, newest first."""
        rows = self._read(
            lambda db: db.execute(
                "SELECT created, step, model, endpoint, prompt_tokens, completion_tokens, seconds "
                "FROM calls ORDER BY created DESC LIMIT ?",
                (limit,),
            ).fetchall()
        )
        fields = list(LoggedCall.model_fields)
        return [LoggedCall(**dict(zip(fields, row, strict=True))) for row in rows]

    # -- token counts --------------------------------------------------------------------

    def token_counts(self, encoding: str) -> dict[str, int]:
        """Every stored token count of `encoding`, by text digest (one query)."""
        rows = self._read(
            lambda db: db.execute(
                "SELECT digest, tokens FROM token_counts WHERE encoding = ?", (encoding,)
            ).fetchall()
        )
        return {str(d): int(n) for d, n in rows}

    def save_token_counts(self, encoding: str, counts: dict[str, int]) -> None:
        """Store new token counts in one transaction, keeping the newest MAX_TOKEN_COUNTS."""
        if not counts:
            return
        now = time.time()

        def write(db: sqlite3.Connection) -> None:
            db.executemany(
                "INSERT OR REPLACE INTO token_counts VALUES (?, ?, ?, ?)",
                [(encoding, d, n, now) for d, n in counts.items()],
            )
            db.execute(
                "DELETE FROM token_counts WHERE encoding = ? AND digest NOT IN (SELECT digest "
                "FROM token_counts WHERE encoding = ? ORDER BY created DESC LIMIT ?)",
                (encoding, encoding, MAX_TOKEN_COUNTS),
            )

        self._write(write, "log")

    # -- the attempt log -----------------------------------------------------------------

    def log(self, attempt: Attempt) -> None:
        """Record one HTTP attempt that did not produce a stored reply."""
        now = time.time()
        self._write(lambda db: _insert_attempt(db, attempt, now), "log")

    def attempts(self, limit: int = 20) -> list[LoggedAttempt]:
        """The newest attempts, newest first, for `briefer log`."""
        fields = list(LoggedAttempt.model_fields)
        rows = self._read(
            lambda db: db.execute(
                f"SELECT {', '.join(fields)} FROM attempts ORDER BY created DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        )
        return [LoggedAttempt(**dict(zip(fields, row, strict=True))) for row in rows]


def _insert_attempt(db: sqlite3.Connection, attempt: Attempt, created: float) -> None:
    values = attempt.model_dump()
    names = ["created", *values]
    db.execute(
        f"INSERT INTO attempts ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        (created, *values.values()),
    )
