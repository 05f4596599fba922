"""The daily run: gather the day's articles, drop duplicates and what was briefed before, group
them into stories, brief each story that enough outlets cover, write the dated folder and its
index, prune old days. Built for cron: one lock, atomic files, a status that says whether
anything new was written, and a resumable run (paid calls are cached, finished stories kept).
It writes only files of its own (briefer/daily/owned.py): a file someone else put or changed
where briefer would write is left alone, and the run says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

import httpx2

from ..errors import BrieferError, InputError, RecoverableModelError, StorageError
from ..model import prompts
from ..pipeline.prepare import check_count
from ..pipeline.run import ProgressFn, brief_articles
from ..render.formats import Format, rendered
from ..schemas.briefing import Briefing
from ..settings import Settings
from .config import DailyConfig
from .dedupe import dedupe
from .gather import gather
from .grouping import Story, group
from .index import render_index
from .lock import OLD_LOCK_HOURS, OLD_LOCK_NAME, RunLock, describe, lock_path
from .owned import ForeignFile, Owned
from .result import ArticleRef, DailyResult, Status, StoryOutcome
from .site import day_page, site_page
from .state import (
    INDEX_NAME,
    INDEX_PAGE,
    SEEN_NAME,
    SITE_NAME,
    STATE_NAME,
    DayState,
    SeenStore,
    SiteState,
    StoryState,
    prune_days,
)

EndpointFn = Callable[[Settings], AbstractContextManager[Settings]]
Notify = Callable[[str], None]
# A story that fails this way fails alone; any other error (endpoint down, no key) stops the run.
_STORY_ERRORS = (RecoverableModelError, InputError, ForeignFile)


def input_hash(story: Story, settings: Settings, cfg: DailyConfig) -> str:
    """Everything a story's briefing depends on: its articles in order, model, prompts."""
    payload = {
        "articles": [(a.id, a.outlet, a.title, a.path) for a in story.articles],
        "model": settings.model,
        "endpoint": settings.endpoint(),  # no credentials, even hashed
        "local_model": cfg.model.local_model or "",
        "prompts": prompts.version(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _outcome(story: Story, status: str, **extra: object) -> StoryOutcome:
    return StoryOutcome.model_validate(
        {
            "slug": story.slug,
            "title": story.title,
            "articles": [a.path for a in story.articles],
            "outlets": story.outlets(),
            "status": status,
            **extra,
        }
    )


def _write(
    briefing: Briefing, folder: Path, slug: str, formats: Sequence[Format], state: DayState
) -> list[str]:
    """The story's files, each recorded in the day state as briefer's (ForeignFile: one is not
    briefer's to overwrite)."""
    names = []
    back = (INDEX_PAGE, f"All stories of {folder.name}")
    for fmt in formats:
        state.write(
            folder / f"{slug}.{fmt}", rendered(briefing, fmt, back=back), folder / STATE_NAME
        )
        names.append(f"{slug}.{fmt}")
    return names


class _Stories:
    """Briefs a day's stories in turn: the endpoint opens on the first story that needs a model
    (and closes after the last); after an error that is not a story's own, no more are tried."""

    def __init__(
        self,
        cfg: DailyConfig,
        settings: Settings,
        now: datetime,
        http_client: httpx2.Client | None,
        endpoint: EndpointFn | None,
        notify: Notify,
        progress: ProgressFn | None,
    ) -> None:
        self.cfg, self.settings = cfg, settings
        self.http_client, self.endpoint = http_client, endpoint
        self.notify, self.progress = notify, progress
        self.day = now.date().isoformat()
        self.folder = cfg.output / self.day
        self.stack = contextlib.ExitStack()
        self.live: Settings | None = None
        self.stop: str | None = None  # why the remaining stories are not attempted

    def brief_all(
        self, stories: Sequence[Story], state: DayState, seen: SeenStore
    ) -> list[StoryOutcome]:
        with self.stack:
            return [self.brief(story, state, seen) for story in stories]

    def _settings(self) -> Settings:
        if self.live is None:
            opened = self.endpoint(self.settings) if self.endpoint else None
            self.live = self.stack.enter_context(opened) if opened else self.settings
        return self.live

    def _progress(self, slug: str) -> ProgressFn | None:
        outer = self.progress
        if outer is None:
            return None
        return lambda step, done, total: outer(f"{slug}: {step}", done, total)

    def brief(self, story: Story, state: DayState, seen: SeenStore) -> StoryOutcome:
        """One story: kept when its inputs and files are unchanged, else briefed and written.

        Any BrieferError fails this story (and, unless it is the story's own, stops the rest)
        but never the run: the index is still written and says what failed."""
        key = input_hash(story, self.settings, self.cfg)
        paths = [self.folder / f"{story.slug}.{fmt}" for fmt in self.cfg.formats]
        prev = state.stories.get(story.slug)
        if prev and prev.input == key and all(_kept(state, p) for p in paths):
            return _outcome(story, "unchanged", files=[p.name for p in paths], title=prev.title)
        if self.stop:
            return _outcome(story, "not_attempted", error=f"not attempted: {self.stop}")
        try:
            for path in paths:  # before paying for a briefing that could not be written
                state.check(path)
            self.notify(
                f"Briefing {story.slug}: {len(story.articles)} articles from "
                f"{', '.join(story.outlets())}"
            )
            briefing, names = self._brief_and_keep(story, key, state, seen)
        except _STORY_ERRORS as exc:  # a file in the way that is not briefer's, too
            return _outcome(story, "failed", error=str(exc))
        except BrieferError as exc:
            self.stop = str(exc)
            return _outcome(story, "failed", error=str(exc))
        return _outcome(
            story,
            "written",
            files=names,
            title=briefing.title,
            model_calls=briefing.run.model_calls,
            cached_calls=briefing.run.cached_calls,
        )

    def _brief_and_keep(
        self, story: Story, key: str, state: DayState, seen: SeenStore
    ) -> tuple[Briefing, list[str]]:
        """Brief the story, write its files, then record it in the day's state and as seen.

        A story of more articles than one briefing takes (a grouping gone wide, most likely)
        fails alone, before the endpoint opens: the index says why, the other stories go on."""
        check_count(story.articles, self.settings.max_articles)
        briefing = brief_articles(
            story.articles,
            self._settings(),
            http_client=self.http_client,
            progress=self._progress(story.slug),
        )
        names = _write(briefing, self.folder, story.slug, self.cfg.formats, state)
        state.stories[story.slug] = StoryState(
            input=key,
            title=briefing.title,
            files=names,
            articles=[a.path for a in story.articles],
        )
        state.save(self.folder / STATE_NAME)
        seen.add(story.articles, self.day)
        seen.save()
        return briefing, names


class _Run:
    """One run's outline: gather, drop duplicates and what was seen, group, brief the stories,
    then write the index and prune old days. `run_daily` wraps it in the lock."""

    def __init__(self, cfg: DailyConfig, now: datetime, stories: _Stories, notify: Notify) -> None:
        self.cfg, self.now, self.stories, self.notify = cfg, now, stories, notify
        self.day, self.folder = stories.day, stories.folder

    def run(self) -> DailyResult:
        cfg = self.cfg
        if self.folder.is_symlink() or (self.folder.exists() and not self.folder.is_dir()):
            return self._not_a_folder()
        self.notify(f"Gathering articles for {self.day}")
        gathered = gather(cfg, self.now)
        articles, duplicates = dedupe(gathered.articles)
        seen = SeenStore(cfg.output / SEEN_NAME)
        fresh = [a for a in articles if seen.briefed_before(a, self.day) is None]
        grouping = group(fresh, cfg.group_threshold, cfg.min_outlets)
        state = DayState.load(self.folder / STATE_NAME)
        outcomes = self.stories.brief_all(grouping.stories, state, seen)
        slugs = {s.slug for s in grouping.stories}
        result = DailyResult(
            status="nothing_new",
            day=self.day,
            folder=str(self.folder),
            stories=outcomes,
            earlier={k: v for k, v in state.stories.items() if k not in slugs},
            singles=[
                ArticleRef(title=a.title, outlet=a.outlet, path=a.path) for a in grouping.singles
            ],
            skipped=gathered.skipped,
            duplicates=duplicates,
            seen_before=len(articles) - len(fresh),
            too_old=gathered.too_old,
        )
        every_source_failed = not gathered.articles and bool(gathered.skipped)
        result.status = _status(result, every_source_failed)
        index = self._finish(result, state, seen)
        result.message = _summary(result, index)
        return result

    def _not_a_folder(self) -> DailyResult:
        """Today's folder is a link (or a file): the site and retention treat it as not
        briefer's, so the run writes nothing into it (nor pays for briefings it cannot keep)."""
        what = "a symbolic link" if self.folder.is_symlink() else "not a folder"
        return DailyResult(
            status="failed",
            day=self.day,
            folder=str(self.folder),
            message=(
                f"Failed: {self.folder} is {what}; briefer writes a day only into a folder of "
                "its own, so this run wrote nothing (move it away and run again)."
            ),
        )

    def _finish(self, result: DailyResult, state: DayState, seen: SeenStore) -> Path:
        """Mark the folder as briefer's, write its index (only when it changed), delete the days
        past keep_days and forget what was seen before them; returns the index (the folder,
        when the index there is not briefer's)."""
        cfg = self.cfg
        record = self.folder / STATE_NAME
        if not record.is_file():
            state.save(record)  # marks the folder as briefer's (retention)
        index = self.folder / INDEX_NAME
        self._write(result, state, index, render_index(result, cfg.window_hours), record)
        if "html" in cfg.formats:
            page = day_page(result, cfg.window_hours)
            self._write(result, state, self.folder / INDEX_PAGE, page, record)
        pruning = prune_days(cfg.output, self.now.date(), cfg.keep_days)
        result.pruned = pruning.removed
        for name, why in pruning.kept.items():
            self.notify(f"Kept {cfg.output / name} past keep_days: {why}.")
        seen.prune(self.now.date(), cfg.keep_days)
        seen.save()
        if "html" in cfg.formats:  # after pruning: it lists the days that are still there
            site, top = SiteState.load(cfg.output), cfg.output / INDEX_PAGE
            self._write(result, site, top, site_page(cfg.output), cfg.output / SITE_NAME)
        return self.folder if str(index) in result.left_alone else index

    def _write(
        self, result: DailyResult, owner: Owned, path: Path, text: str, record: Path
    ) -> None:
        """Write an index (only when it changed), unless a file briefer did not write is there:
        that one is left alone, and the run says so."""
        try:
            owner.write(path, text, record)
        except ForeignFile as exc:
            result.left_alone[str(exc.path)] = exc.why
            self.notify(str(exc))


def _kept(state: DayState, path: Path) -> bool:
    """A story's file is still there as briefer wrote it."""
    return path.is_file() and state.why_not_ours(path) is None


def _status(r: DailyResult, every_source_failed: bool) -> Status:
    """failed when a story failed or was not attempted, or no source could be read; done when
    a briefing was written; else nothing_new."""
    if every_source_failed or any(s.status in ("failed", "not_attempted") for s in r.stories):
        return "failed"
    return "done" if r.written() else "nothing_new"


def _summary(r: DailyResult, index: Path) -> str:
    counts = {k: sum(1 for s in r.stories if s.status == k) for k in ("written", "unchanged")}
    failed = [s for s in r.stories if s.status in ("failed", "not_attempted")]
    parts = [f"{counts['written']} stories briefed", f"{counts['unchanged']} unchanged"]
    if failed:
        parts.append(f"{len(failed)} failed ({failed[0].slug}: {failed[0].error})")
    parts.append(f"{len(r.singles)} single-outlet articles listed")
    if r.skipped:
        parts.append(f"{len(r.skipped)} sources skipped")
    if r.pruned:
        parts.append(f"{len(r.pruned)} old days deleted")
    if r.left_alone:
        path, why = next(iter(r.left_alone.items()))
        parts.append(f"{len(r.left_alone)} files left alone ({path}, which {why})")
    lead = {
        "done": "Done",
        "nothing_new": "Nothing new",
        "failed": "Failed",
        "locked": "Locked",
    }[r.status]
    return f"{lead}: {', '.join(parts)}; see {index}"


def run_daily(
    cfg: DailyConfig,
    settings: Settings,
    now: datetime,
    *,
    http_client: httpx2.Client | None = None,
    endpoint: EndpointFn | None = None,
    notify: Notify | None = None,
    progress: ProgressFn | None = None,
) -> DailyResult:
    """One scheduled run for the day of `now` (an aware local time).

    `http_client` carries the model calls (tests pass a fake); `endpoint` turns the settings
    into a live endpoint (e.g. starting the embedded model) and is entered only when a story
    needs briefing. A second run while one holds the lock returns status "locked" at once.
    """
    now = now if now.tzinfo else now.astimezone()
    lock = RunLock(lock_path(settings.home.data_dir, cfg.output), old=cfg.output / OLD_LOCK_NAME)
    try:
        acquired = lock.acquire()
    except OSError as exc:
        raise StorageError(
            f"Cannot take the run lock {lock.path}: {exc.strerror or type(exc).__name__}."
        ) from exc
    if not acquired:
        return _locked(cfg, now.date().isoformat(), lock, notify or _quiet)
    try:
        if lock.took_over and notify:
            notify(f"Took over the lock of an earlier run (pid {lock.took_over}) that is gone.")
        say = notify or _quiet
        stories = _Stories(cfg, settings, now, http_client, endpoint, say, progress)
        return _Run(cfg, now, stories, say).run()
    finally:
        lock.release()


def _locked(cfg: DailyConfig, day: str, lock: RunLock, notify: Notify) -> DailyResult:
    """The result of a run that found the lock held: "locked", or "failed" (loudly) when the
    holder has held it for so long that it is most likely stuck."""
    result = DailyResult(
        status="locked",
        day=day,
        folder=str(cfg.output / day),
        lock_holder=lock.holder.pid if lock.holder else None,
    )
    who = f" ({describe(lock.holder)})" if lock.holder else ""
    age = lock.holder_age() or 0.0
    if age < OLD_LOCK_HOURS * 3600:
        result.message = f"Another briefer daily run{who} holds {lock.where}; this run did nothing."
        return result
    result.status = "failed"
    result.message = (
        f"Another briefer daily run{who} has held {lock.where} for {age / 3600:.0f} hours, far "
        "longer than a run takes: if it is stuck, stop it (the next run then takes the lock "
        "over); this run did nothing."
    )
    notify(result.message)
    return result


def _quiet(message: str) -> None:
    del message
