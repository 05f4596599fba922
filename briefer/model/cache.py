"""The call store: one SQLite file holding validated model replies (the cache, so a re-run pays
for nothing twice) and every paid HTTP attempt (the log behind `briefer log`).

Replies are keyed by everything that determines them (endpoint, model, messages, schema,
sampling settings); only replies that validated are stored, so a bad reply is never replayed.
Attempts are logged whatever became of them: re-asks, rejected modes, cut replies, runs with
the reply cache off. The schema is versioned with `PRAGMA user_version` and migrated in place.
A corrupt file is moved aside and rebuilt (with a warning to show); any other SQLite failure,
such as a full disk, is one StorageError.
"""

from __future__ import annotations

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


class CallCache:
    """One connection per operation keeps it safe across the map step's worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[str] = []
        self._ready = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the folder of the call cache {path}: "
                f"{exc.strerror or exc}; point BRIEFER_HOME at another folder."
            ) from exc
        self._run(lambda db: None)  # open (and migrate, or rebuild) now, not mid-run

    # -- plumbing ------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
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

    def _migrate(self, db: sqlite3.Connection) -> None:
        if _version(db) >= SCHEMA_VERSION:
            return  # nothing to write (a read-only state folder can still be read)
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
            db.close()

    def _run(self, op: Callable[[sqlite3.Connection], R]) -> R:
        """Run `op` on a fresh connection; rebuild a corrupt file once, map the rest."""
        with _lock:
            try:
                return self._once(op)
            except sqlite3.Error as exc:
                if _primary_code(exc) not in _CORRUPT:
                    raise self._storage_error(exc) from exc
                self._move_aside(exc)
            try:
                return self._once(op)
            except sqlite3.Error as exc:
                raise self._storage_error(exc) from exc

    def _storage_error(self, exc: sqlite3.Error) -> StorageError:
        return StorageError(
            f"Cannot use the call cache {self.path}: {exc}; free some space there or point "
            "BRIEFER_HOME at another folder."
        )

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
        """The warnings so far (a rebuilt file), each handed out once."""
        with _lock:
            taken, self.warnings = self.warnings, []
        return taken

    # -- replies -------------------------------------------------------------------------

    def get(self, key: str) -> tuple[str, int, int] | None:
        row = self._run(
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
        """Store a validated reply and log the paid attempt that produced it, together."""
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

        self._run(write)

    def count(self) -> int:
        return int(self._run(lambda db: db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]))

    def recent(self, limit: int = 20) -> list[LoggedCall]:
        """The newest stored replies, newest first."""
        rows = self._run(
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
        rows = self._run(
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

        self._run(write)

    # -- the attempt log -----------------------------------------------------------------

    def log(self, attempt: Attempt) -> None:
        """Record one HTTP attempt that did not produce a stored reply."""
        now = time.time()
        self._run(lambda db: _insert_attempt(db, attempt, now))

    def attempts(self, limit: int = 20) -> list[LoggedAttempt]:
        """The newest attempts, newest first, for `briefer log`."""
        fields = list(LoggedAttempt.model_fields)
        rows = self._run(
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
