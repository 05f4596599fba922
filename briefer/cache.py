"""A SQLite cache of validated model replies, so a re-run pays for nothing twice.

Keyed by everything that determines the reply (endpoint, model, messages, schema, sampling
settings); only replies that validated are stored, so a bad reply is never replayed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    step TEXT NOT NULL,
    model TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    raw TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    seconds REAL NOT NULL,
    created REAL NOT NULL
)
"""


class LoggedCall(BaseModel):
    created: float
    step: str
    model: str
    endpoint: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float


def cache_key(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class CallCache:
    """One connection per operation keeps it safe across the map step's worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def get(self, key: str) -> tuple[str, int, int] | None:
        db = self._connect()
        try:
            row = db.execute(
                "SELECT raw, prompt_tokens, completion_tokens FROM calls WHERE key = ?", (key,)
            ).fetchone()
        finally:
            db.close()
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
    ) -> None:
        db = self._connect()
        try:
            with db:
                db.execute(
                    "INSERT OR REPLACE INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        step,
                        model,
                        endpoint,
                        raw,
                        prompt_tokens,
                        completion_tokens,
                        seconds,
                        time.time(),
                    ),
                )
        finally:
            db.close()

    def recent(self, limit: int = 20) -> list[LoggedCall]:
        """The newest stored calls, newest first, for `briefer log`."""
        db = self._connect()
        try:
            rows = db.execute(
                "SELECT created, step, model, endpoint, prompt_tokens, completion_tokens, seconds "
                "FROM calls ORDER BY created DESC LIMIT ?",
                (limit,),
            ).fetchall()
        finally:
            db.close()
        fields = list(LoggedCall.model_fields)
        return [LoggedCall(**dict(zip(fields, row, strict=True))) for row in rows]

    def count(self) -> int:
        db = self._connect()
        try:
            return int(db.execute("SELECT COUNT(*) FROM calls").fetchone()[0])
        finally:
            db.close()
