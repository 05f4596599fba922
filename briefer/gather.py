"""Gather the day's articles from every source in briefer.toml: folders, globs, feeds, pages.

Files are read exactly like `briefer brief` reads them (same extraction, same manifests);
web sources go through `feeds`. A missing folder, an unreadable file or a dead feed is a
Skipped entry with its reason, never the end of the run. Files last modified before the time
window are left out, as feed entries dated before it are.
"""

from __future__ import annotations

import glob
from datetime import datetime, timedelta
from pathlib import Path

import httpx2
from pydantic import BaseModel, Field

from . import feeds
from .dailyconfig import DailyConfig
from .errors import InputError
from .ingest import HTML_SUFFIXES, MANIFEST_NAME, TEXT_SUFFIXES, Article, Skipped, load_manifest
from .ingest import read_article as read_file

SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES


class Gathered(BaseModel):
    """Every usable article in source order, what was skipped and why, what was too old."""

    articles: list[Article] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    too_old: int = 0


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def _folder_files(folder: Path) -> list[Path]:
    found = [
        f
        for f in folder.rglob("*")
        if f.is_file() and f.suffix.lower() in SUFFIXES and _visible(f, folder)
    ]
    return sorted(found, key=lambda f: f.relative_to(folder).as_posix())


def _glob_files(pattern: str) -> list[Path]:
    return sorted(
        Path(p)
        for p in glob.glob(pattern, recursive=True)
        if Path(p).is_file() and Path(p).suffix.lower() in SUFFIXES
    )


def _manifest_for(path: Path, cache: dict[Path, dict[str, dict[str, str]]]) -> dict[str, str]:
    """The sources.toml entry for a file, from the manifest in its own folder."""
    folder = path.parent
    if folder not in cache:
        manifest = folder / MANIFEST_NAME
        cache[folder] = load_manifest(manifest) if manifest.is_file() else {}
    return cache[folder].get(path.name, {})


def _read_files(files: list[Path], since: datetime, out: Gathered) -> None:
    manifests: dict[Path, dict[str, dict[str, str]]] = {}
    for path in files:
        try:
            if datetime.fromtimestamp(path.stat().st_mtime, since.tzinfo) < since:
                out.too_old += 1
                continue
            out.articles.append(read_file(path, _manifest_for(path, manifests)))
        except (ValueError, OSError, InputError) as exc:  # InputError: a broken sources.toml
            out.skipped.append(Skipped(path=str(path), reason=str(exc)))


def gather(cfg: DailyConfig, now: datetime, http: httpx2.Client | None = None) -> Gathered:
    """Everything the config points at from the last `window_hours`, in config order."""
    since = now - timedelta(hours=cfg.window_hours)
    out = Gathered()
    files: list[Path] = []
    seen: set[Path] = set()
    for folder in cfg.sources.folders:
        root = Path(folder)
        if not root.is_dir():
            out.skipped.append(Skipped(path=folder, reason="no such folder"))
            continue
        new = [f for f in _folder_files(root) if f not in seen]
        files.extend(new)
        seen.update(new)
    for pattern in cfg.sources.globs:
        every = _glob_files(pattern)
        if not every:
            out.skipped.append(Skipped(path=pattern, reason="the pattern matches no article file"))
        matched = [f for f in every if f not in seen]
        files.extend(matched)
        seen.update(matched)
    _read_files(files, since, out)
    web = feeds.fetch_all(
        cfg.sources.feeds,
        cfg.sources.urls,
        since=since,
        timeout=cfg.fetch_timeout,
        max_per_feed=cfg.max_per_feed,
        http=http,
    )
    out.articles += web.articles
    out.skipped += web.skipped
    out.too_old += web.too_old
    return out
