"""What a daily run remembers between runs, kept beside its output so it moves with it.

- The day state (`YYYY-MM-DD/.briefer-state.json`): each story's input hash and files, so a
  re-run knows a briefing is already written for exactly this input and calls no model, and
  the hash of every file briefer wrote there (briefer/daily/owned.py).
- The site state (`.briefer-site.json`): the hash of the OUTPUT/index.html briefer wrote.
- The seen store (`.briefer-seen.json`): articles briefed on earlier days, so an article that
  is still in a feed tomorrow is not briefed (nor paid for) again.
- Retention: dated folders older than `keep_days` are deleted if briefer made them (they hold
  its day state) and hold nothing but files briefer wrote, as it wrote them; nothing else is
  ever deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ..atomic import write_atomic
from ..ingest.files import Article
from .dedupe import article_keys
from .owned import Owned

STATE_NAME = ".briefer-state.json"
SITE_NAME = ".briefer-site.json"
SEEN_NAME = ".briefer-seen.json"
INDEX_NAME = "index.md"
INDEX_PAGE = "index.html"  # with "html" among the formats
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TEMP = re.compile(r"^\.(?P<target>.+)\.[A-Za-z0-9_]+\.tmp$")  # what an interrupted write leaves
# The seen store outlives the briefings a little: a feed may carry an entry for a week.
_SEEN_MIN_DAYS = 7
_SEEN_FOREVER_DAYS = 365


class StoryState(BaseModel):
    input: str
    title: str
    files: list[str]
    articles: list[str]


class DayState(Owned):
    """The stories written into one dated folder, and the hash of each file briefer wrote."""

    stories: dict[str, StoryState] = Field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, *, adopt: bool = True) -> DayState:
        """An unreadable state file only costs a re-check (the call cache still holds replies),
        but then no file in the folder is known to be briefer's."""
        try:
            return cls.parse(path, adopt=adopt)
        except (OSError, ValidationError, ValueError):
            return cls()

    @classmethod
    def parse(cls, path: Path, *, adopt: bool = True) -> DayState:
        """The state file at `path`; one an older briefer wrote (without hashes) adopts the
        files that briefer wrote: the index, the stories' files, a page with its tag (unless
        only the stories are wanted: `adopt=False`)."""
        state = cls.model_validate_json(path.read_bytes())
        if adopt and "written" not in state.model_fields_set:
            names = [INDEX_NAME, *(f for s in state.stories.values() for f in s.files)]
            state.adopt(path.parent, names, pages=[INDEX_PAGE])
        return state


class SiteState(Owned):
    """What briefer wrote at the top of OUTPUT: its index.html of the days."""

    @classmethod
    def load(cls, output: Path) -> SiteState:
        try:
            return cls.model_validate_json((output / SITE_NAME).read_bytes())
        except (OSError, ValidationError, ValueError):
            state = cls()  # none yet: an older briefer's page still carries its tag
            state.adopt(output, [], pages=[INDEX_PAGE])
            return state


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


class Pruning(BaseModel):
    """What retention did: folders deleted, and briefer's old folders kept, with why."""

    removed: list[str] = Field(default_factory=list)
    kept: dict[str, str] = Field(default_factory=dict)


def _foreign(folder: Path) -> Callable[[Path], str | None] | None:
    """Why an entry of a dated folder is not briefer's to delete (None: it wrote it, as it is
    now); None for the folder itself when briefer did not make it (no day state of its own)."""
    try:
        state = DayState.parse(folder / STATE_NAME)
    except (OSError, ValueError):  # no state file (not ours) or not briefer's state
        return None

    def why(entry: Path) -> str | None:
        temp = _TEMP.match(entry.name)  # what an interrupted write of briefer's left
        if entry.name == STATE_NAME or (temp and temp["target"] in {STATE_NAME, *state.written}):
            is_file = entry.is_file() and not entry.is_symlink()
            return None if is_file else "briefer did not write"
        return state.why_not_ours(entry)

    return why


def _delete(folder: Path, foreign: Callable[[Path], str | None]) -> str | None:
    """Delete the folder if all it holds is briefer's; else say why it stays."""
    try:
        entries = sorted(folder.iterdir())
        for entry in entries:
            why = foreign(entry)
            if why is not None:
                return f"it holds {entry.name!r}, which {why}"
        for entry in entries:
            entry.unlink(missing_ok=True)
        folder.rmdir()  # fails, keeping the folder, if anything appeared meanwhile
    except OSError as exc:
        return f"cannot delete it ({exc.strerror or type(exc).__name__})"
    return None


def prune_days(output: Path, today: date, keep_days: int) -> Pruning:
    """Delete briefer's dated folders older than `keep_days` days (today counts as one); 0
    keeps all. A dated folder without briefer's day state is not briefer's and is left alone;
    one holding anything briefer did not write is kept whole and reported."""
    done = Pruning()
    if keep_days <= 0:
        return done
    cutoff = today - timedelta(days=keep_days - 1)
    for day, folder in day_folders(output):
        foreign = _foreign(folder) if day < cutoff else None
        if foreign is None:
            continue
        why = _delete(folder, foreign)
        if why is None:
            done.removed.append(folder.name)
        else:
            done.kept[folder.name] = why
    return done
