"""What a daily run remembers between runs, kept beside its output so it moves with it.

- The day state (`YYYY-MM-DD/.briefer-state.json`): each story's input hash and files, so a
  re-run knows a briefing is already written for exactly this input and calls no model.
- The seen store (`.briefer-seen.json`): articles briefed on earlier days, so an article that
  is still in a feed tomorrow is not briefed (nor paid for) again.
- Retention: dated folders older than `keep_days` are deleted, and nothing else ever is.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from .atomic import write_atomic
from .dedupe import article_keys
from .ingest import Article

STATE_NAME = ".briefer-state.json"
SEEN_NAME = ".briefer-seen.json"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The seen store outlives the briefings a little: a feed may carry an entry for a week.
_SEEN_MIN_DAYS = 7
_SEEN_FOREVER_DAYS = 365


class StoryState(BaseModel):
    input: str
    title: str
    files: list[str]
    articles: list[str]


class DayState(BaseModel):
    """The stories written into one dated folder."""

    stories: dict[str, StoryState] = Field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> DayState:
        """An unreadable state file only costs a re-check (the call cache still holds replies)."""
        try:
            return cls.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError):
            return cls()

    def save(self, path: Path) -> None:
        write_atomic(path, self.model_dump_json(indent=1) + "\n")


class SeenStore:
    """Keys (canonical URL, content hash) of briefed articles with the day they were briefed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.days: dict[str, str] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict):
            self.days = {str(k): str(v) for k, v in data.items()}

    def briefed_before(self, article: Article, day: str) -> str | None:
        """The earlier day this article was briefed on, if any."""
        earlier = [d for k in article_keys(article) if (d := self.days.get(k)) and d < day]
        return min(earlier) if earlier else None

    def add(self, articles: Iterable[Article], day: str) -> None:
        for article in articles:
            for key in article_keys(article):
                self.days.setdefault(key, day)

    def prune(self, today: date, keep_days: int) -> None:
        days = max(keep_days, _SEEN_MIN_DAYS) if keep_days else _SEEN_FOREVER_DAYS
        cutoff = (today - timedelta(days=days)).isoformat()
        self.days = {k: d for k, d in self.days.items() if d >= cutoff}

    def save(self) -> None:
        write_atomic(self.path, json.dumps(self.days, indent=0, sort_keys=True) + "\n")


def day_folders(output: Path) -> list[tuple[date, Path]]:
    """The YYYY-MM-DD folders directly in `output` (real folders, not links), oldest first."""
    found: list[tuple[date, Path]] = []
    if not output.is_dir():
        return found
    for entry in output.iterdir():
        if not _DAY.match(entry.name) or entry.is_symlink() or not entry.is_dir():
            continue
        try:
            found.append((date.fromisoformat(entry.name), entry))
        except ValueError:
            continue  # looks like a date, is not one (2026-13-40): not ours
    return sorted(found)


def prune_days(output: Path, today: date, keep_days: int) -> list[str]:
    """Delete dated folders older than `keep_days` days (today counts as one); 0 keeps all."""
    if keep_days <= 0:
        return []
    cutoff = today - timedelta(days=keep_days - 1)
    removed = []
    for day, folder in day_folders(output):
        if day < cutoff:
            shutil.rmtree(folder)
            removed.append(folder.name)
    return removed
