"""Gather the day's articles from every source in briefer.toml: folders, globs, feeds, pages.

Files are read exactly like `briefer brief` reads them (same extraction, same manifests);
web sources go through `feeds`. A missing folder, an unreadable file or a dead feed is a
Skipped entry with its reason, never the end of the run. Files last modified before the time
window are left out, as feed entries dated before it are.

Every walk is bounded: folders and `**` do not descend into symlinked folders (so a link loop
cannot be followed), each source yields at most MAX_WALK paths, and each real file is read once
however many names (symlinks, overlapping folders and globs) lead to it. The whole step ends
after `gather_timeout` seconds; what was not read by then is skipped with that reason.
"""

from __future__ import annotations

import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2

from ..errors import InputError
from ..ingest.files import HTML_SUFFIXES, MANIFEST_NAME, TEXT_SUFFIXES, load_manifest
from ..ingest.files import read_article as read_file
from ..schemas.briefing import Skipped
from . import feeds
from .config import DailyConfig
from .feeds import OUT_OF_TIME, Gathered

SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
MAX_WALK = 20_000  # paths taken from one folder's walk or one pattern's matches
_MAGIC = re.compile(r"[*?[]")

__all__ = ["MAX_WALK", "Gathered", "gather"]


def _visible(path: Path, root: Path, allowed: Iterable[str] = ()) -> bool:
    return all(not p.startswith(".") or p in allowed for p in path.relative_to(root).parts)


def _folder_paths(folder: Path) -> Iterator[Path]:
    """Everything under `folder` but hidden names; symlinked folders are not descended."""
    return (f for f in folder.rglob("*") if _visible(f, folder))


def _glob_paths(pattern: str) -> Iterator[Path]:
    """What the pattern matches (hidden names only where the pattern spells them out).

    pathlib, unlike glob.glob, does not follow symlinked folders when expanding `**`.
    """
    parts = Path(pattern).parts
    first = next((i for i, part in enumerate(parts) if _MAGIC.search(part)), None)
    if first is None:
        yield Path(pattern)
        return
    base = Path(*parts[:first])
    literal = [p for p in parts[first:] if not _MAGIC.search(p)]
    for path in base.glob("/".join(parts[first:])):
        if _visible(path, base, literal):
            yield path


class _Files:
    """The article files found so far, each real file once, in source order."""

    def __init__(self, out: Gathered) -> None:
        self.out = out
        self.paths: list[Path] = []
        self.seen: set[tuple[int, int]] = set()

    def _capped(self, source: str, found: Iterable[Path]) -> list[Path]:
        taken: list[Path] = []
        for n, path in enumerate(found):
            if n >= MAX_WALK:
                reason = f"stopped after {MAX_WALK} entries; the rest was not read"
                self.out.skipped.append(Skipped(path=source, reason=reason))
                break
            if path.suffix.lower() in SUFFIXES:
                taken.append(path)
        return taken

    def add(self, source: str, found: Iterable[Path], key: Callable[[Path], Any]) -> int:
        """Add the article files among `found` (sorted by `key`); returns how many matched."""
        matched = sorted(self._capped(source, found), key=key)
        count = 0
        for path in matched:
            try:
                info = path.stat()  # follows a symlink: the real file's identity
            except OSError:
                continue  # a dangling link
            if not stat.S_ISREG(info.st_mode):
                continue
            count += 1
            if (info.st_dev, info.st_ino) not in self.seen:
                self.seen.add((info.st_dev, info.st_ino))
                self.paths.append(path)
        return count


def _relative_to(root: Path) -> Callable[[Path], str]:
    return lambda path: path.relative_to(root).as_posix()


def _manifest_for(path: Path, cache: dict[Path, dict[str, dict[str, str]]]) -> dict[str, str]:
    """The sources.toml entry for a file, from the manifest in its own folder."""
    folder = path.parent
    if folder not in cache:
        manifest = folder / MANIFEST_NAME
        cache[folder] = load_manifest(manifest) if manifest.is_file() else {}
    return cache[folder].get(path.name, {})


def _read_files(files: list[Path], since: datetime, out: Gathered, until: float) -> None:
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    for n, path in enumerate(files):
        if time.monotonic() >= until:
            out.skipped += [Skipped(path=str(p), reason=OUT_OF_TIME) for p in files[n:]]
            return
        try:
            if datetime.fromtimestamp(path.stat().st_mtime, since.tzinfo) < since:
                out.too_old += 1
                continue
            out.articles.append(read_file(path, _manifest_for(path, manifests)))
        except (ValueError, OSError, InputError) as exc:  # InputError: a broken sources.toml
            out.skipped.append(Skipped(path=str(path), reason=str(exc)))


def _find_files(cfg: DailyConfig, out: Gathered) -> list[Path]:
    files = _Files(out)
    for folder in cfg.sources.folders:
        root = Path(folder)
        if not root.is_dir():
            out.skipped.append(Skipped(path=folder, reason="no such folder"))
            continue
        files.add(folder, _folder_paths(root), key=_relative_to(root))
    for pattern in cfg.sources.globs:
        try:
            matched = files.add(pattern, _glob_paths(pattern), key=lambda f: f)
        except ValueError as exc:  # e.g. "a**b": ** must be a whole path component
            out.skipped.append(Skipped(path=pattern, reason=f"not a usable pattern ({exc})"))
            continue
        if not matched:
            out.skipped.append(Skipped(path=pattern, reason="the pattern matches no article file"))
    return files.paths


def gather(cfg: DailyConfig, now: datetime, http: httpx2.Client | None = None) -> Gathered:
    """Everything the config points at from the last `window_hours`, in config order, within
    `gather_timeout` seconds."""
    until = time.monotonic() + cfg.gather_timeout
    since = now - timedelta(hours=cfg.window_hours)
    out = Gathered()
    _read_files(_find_files(cfg, out), since, out, until)
    web = feeds.fetch_all(
        cfg.sources.feeds,
        cfg.sources.urls,
        since=since,
        timeout=cfg.fetch_timeout,
        max_per_feed=cfg.max_per_feed,
        http=http,
        private=cfg.private_origins(),
        until=until,
    )
    out.articles += web.articles
    out.skipped += web.skipped
    out.too_old += web.too_old
    return out
