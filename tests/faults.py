"""Faults the operating system can throw at briefer, made on purpose: a disk with no room for
one more SQLite page, and a FIFO whose reader would block (run the reader in `bounded`, free it
with `release`). Shared by the cache, CLI-fault, ingest and input tests."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


@contextlib.contextmanager
def full_disk() -> Iterator[None]:
    """Inside, no new SQLite connection may grow its file by a single page: SQLite then fails
    the way it does on a full disk (SQLITE_FULL, "database or disk is full")."""
    real = sqlite3.connect

    def connect(*args: Any, **kw: Any) -> sqlite3.Connection:
        db = real(*args, **kw)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return db

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sqlite3, "connect", connect)
        yield


def bounded(work: Callable[[], T], seconds: float = 20) -> T:
    """`work()` in a thread: a read that blocks (on a FIFO) fails the test instead of hanging it.
    A stuck daemon thread does not keep the test process alive."""
    out: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            out.append(work())
        except BaseException as exc:  # re-raised in the test's own thread
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still reading after {seconds} s: blocked on a FIFO?"
    if errors:
        raise errors[0]
    return out[0]


def release(*fifos: Path) -> None:
    """Give a reader stuck on each FIFO its end of file (after a failed test: no stuck thread)."""
    for fifo in fifos:
        with contextlib.suppress(OSError):  # nobody reading it: nothing to release
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
