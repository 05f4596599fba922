"""The call store on a bad day: a file from the previous release, a corrupt or truncated file,
a full disk. Each ends in a working store with a warning, or in one StorageError."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefer.errors import StorageError
from briefer.model.cache import Attempt, CallCache, store_path
from briefer.settings import find_home

from .faults import full_disk

# The calls table exactly as the previous release created it (no user_version, no log).
PREVIOUS_RELEASE = """
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


def put(cache: CallCache, key: str, raw: str = "{}", **kw: Any) -> None:
    values: dict[str, Any] = {
        "step": "analyse",
        "model": "m",
        "endpoint": "http://127.0.0.1:9/v1",
        "raw": raw,
        "prompt_tokens": 10,
        "completion_tokens": 2,
        "seconds": 0.5,
    }
    cache.put(key, **{**values, **kw})


def filled(rows: int = 60) -> Path:
    """A store with enough rows to span many pages, closed."""
    path = store_path(find_home())
    cache = CallCache(path)
    for i in range(rows):
        put(cache, f"k{i}", raw="x" * 2000)
    return path


def test_a_cache_from_the_previous_release_migrates_and_keeps_its_calls() -> None:
    path = store_path(find_home())
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(PREVIOUS_RELEASE)
    db.execute(
        "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ("k1", "analyse", "gpt-4.1-mini", "e", '{"a": 1}', 1000, 20, 2.5, 1_700_000_000.0),
    )
    db.execute(
        "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ("k2", "synthesise", "gpt-4.1-mini", "e", '{"b": 2}', 3000, 400, 9.0, 1_700_000_100.0),
    )
    db.commit()
    db.close()

    cache = CallCache(path)
    assert cache.get("k1") == ('{"a": 1}', 1000, 20) and cache.count() == 2
    logged = [(a.step, a.outcome, a.prompt_tokens, a.created) for a in cache.attempts()]
    assert logged == [
        ("synthesise", "ok", 3000, 1_700_000_100.0),
        ("analyse", "ok", 1000, 1_700_000_000.0),
    ]
    assert cache.take_warnings() == []
    CallCache(path)  # opening it again migrates nothing twice
    assert len(CallCache(path).attempts()) == 2
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] >= 2
    db.close()


def test_attempts_are_listed_newest_first_with_their_outcome() -> None:
    cache = CallCache(store_path(find_home()))
    cache.log(Attempt(step="s", model="m", endpoint="e", mode="json_schema", outcome="invalid"))
    put(cache, "k", mode="json_schema")
    assert [a.outcome for a in cache.attempts()] == ["ok", "invalid"]
    assert cache.attempts()[0].mode == "json_schema"


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database at all\n" * 200)


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 3 :] = b"\xa5" * (len(data) - page * 3)  # header intact, b-tree pages not
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_garbage, _truncated, _damaged_page])
def test_a_corrupt_cache_is_moved_aside_and_rebuilt_with_a_warning(damage: Any) -> None:
    path = filled()
    damage(path)
    broken = path.read_bytes()

    cache = CallCache(path)
    # The damage shows on opening or on the read that meets it; the store works after it.
    found = [cache.get(f"k{i}") for i in range(60)]
    assert found[-1] is None and found.count(None) >= 1
    put(cache, "new", raw='{"ok": true}')
    assert cache.get("new") == ('{"ok": true}', 10, 2) and cache.count() == 1

    warnings = cache.take_warnings()
    assert len(warnings) == 1 and cache.take_warnings() == []
    aside = sorted(path.parent.glob("cache.sqlite.corrupt-*"))
    assert [p.name for p in aside if not p.name.endswith(("-wal", "-shm"))] == [aside[0].name]
    assert aside[0].read_bytes() == broken  # kept as it was, for whoever wants to look
    assert str(path) in warnings[0] and str(aside[0]) in warnings[0]
    assert "paid for again" in warnings[0]


def test_a_full_state_disk_is_one_storage_error_and_loses_nothing_stored() -> None:
    path = filled(3)
    with full_disk(), pytest.raises(StorageError) as info:
        put(CallCache(path), "big", raw="y" * 200_000)
    message = str(info.value)
    assert message.startswith(f"Cannot use the call cache {path}: database or disk is full")
    assert "\n" not in message
    again = CallCache(path)
    assert again.count() == 3 and again.get("big") is None
    assert sorted(p.name for p in path.parent.iterdir()) == ["cache.sqlite"]  # nothing left over


def test_token_counts_are_kept_per_encoding_and_the_newest_are_capped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = CallCache(store_path(find_home()))
    assert cache.token_counts("o200k_base") == {}
    cache.save_token_counts("o200k_base", {"a": 1, "b": 2})
    cache.save_token_counts("cl100k_base", {"a": 9})
    assert cache.token_counts("o200k_base") == {"a": 1, "b": 2}
    assert cache.token_counts("cl100k_base") == {"a": 9}
    monkeypatch.setattr("briefer.model.cache.MAX_TOKEN_COUNTS", 2)
    cache.save_token_counts("o200k_base", {"c": 3})  # newer than a and b: one of them goes
    kept = cache.token_counts("o200k_base")
    assert len(kept) == 2 and kept["c"] == 3
    assert cache.token_counts("cl100k_base") == {"a": 9}  # another encoding's are its own


@contextlib.contextmanager
def refused_writes() -> Iterator[None]:
    """Inside, every read-write connection briefer opens is really `mode=ro`: SQLite refuses
    its writes ("attempt to write a readonly database") though the file looks writable, the
    way a file system can that os.access does not see through (tests run as root)."""
    real = sqlite3.connect

    def connect(database: Any, *args: Any, **kw: Any) -> sqlite3.Connection:
        if kw.get("uri"):
            return real(database, *args, **kw)  # briefer's own read-only opening
        return real(f"{Path(database).absolute().as_uri()}?mode=ro", *args, uri=True, **kw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sqlite3, "connect", connect)
        yield


def rows(path: Path, table: str) -> int:
    """Counted by a connection of the test's own, not the store's."""
    db = sqlite3.connect(path)
    try:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        db.close()


def test_writes_sqlite_refuses_are_dropped_with_one_warning_and_reads_go_on() -> None:
    path = filled(3)
    with refused_writes():
        cache = CallCache(path)
        assert cache.read_only is None  # nothing told it beforehand
        put(cache, "new", raw='{"new": 1}')  # refused: no error, a warning
        cache.log(Attempt(step="s", model="m", endpoint="e", mode="m", outcome="invalid"))
        cache.save_token_counts("o200k_base", {"d": 1})
        assert cache.get("k0") == ("x" * 2000, 10, 2) and cache.get("new") is None
        assert len(cache.attempts(100)) == 3
        (warning,) = cache.take_warnings()
    assert warning == (
        f"The call cache {path} is read-only (SQLite says: attempt to write a readonly "
        "database), so new paid replies could not be stored and a re-run pays for them again; "
        "check its permissions and mount, or point BRIEFER_HOME at a writable folder."
    )
    assert (rows(path, "calls"), rows(path, "attempts"), rows(path, "token_counts")) == (3, 3, 0)


def test_a_lost_log_then_a_lost_reply_are_each_told_once() -> None:
    path = filled(1)
    with refused_writes():
        cache = CallCache(path)
        for _ in range(2):
            cache.log(Attempt(step="s", model="m", endpoint="e", mode="m", outcome="invalid"))
            put(cache, "new")
        warnings = cache.take_warnings()
    assert [w.split(", so ")[1].split(";")[0] for w in warnings] == [
        "this run's attempt log and token counts are not stored",
        "new paid replies could not be stored and a re-run pays for them again",
    ]


def test_a_read_only_cache_of_the_previous_release_is_read_without_migrating_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The decision that the store is read-only is patched (root may write anything); the
    read-only opening and the copy in memory it leads to are real."""
    path = store_path(find_home())
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute(PREVIOUS_RELEASE)
    db.execute(
        "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ("k1", "analyse", "m", "e", '{"a": 1}', 1000, 20, 2.5, 1_700_000_000.0),
    )
    db.commit()
    db.close()
    before = path.read_bytes()
    monkeypatch.setattr("briefer.model.cache._unwritable", lambda path: "as the test says")

    cache = CallCache(path)
    assert cache.get("k1") == ('{"a": 1}', 1000, 20)
    assert [(a.step, a.outcome) for a in cache.attempts()] == [("analyse", "ok")]
    put(cache, "k2")
    assert cache.get("k2") is None and cache.count() == 1
    assert "read-only (as the test says)" in cache.take_warnings()[0]
    assert path.read_bytes() == before  # still the previous release's file, user_version 0
    assert sorted(p.name for p in path.parent.iterdir()) == ["cache.sqlite"]
