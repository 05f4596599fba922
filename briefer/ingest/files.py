"""Ingest: files and folders in, `Article`s out, with a stable id, title and outlet.

Text, titles and outlet names lose their invisible characters as they are read (invisible.py),
so the id, the duplicate checks, the token counts and the model see only what a reader sees.

The outlet comes from a manifest, front matter, HTML metadata or a `Source: X` line; failing
those, from the file name when it reads as a name, else from the title, shortened (names.py):
never a hash-like file stem, never a guess. `outlet_notes` tells the user which files had no
outlet named and how to name it.

An unreadable file is skipped with a reason naming it, so one bad article never sinks a briefing;
only zero usable articles is an error, and so is more than one briefing takes (`max_articles`):
folders are walked lazily, so a wrong folder of 25,000 files is refused after reading just one
article too many. Only regular files are opened: a FIFO or a device (/dev/zero, /dev/stdin),
named or found in a folder, directly or through a symlink, is skipped with what it is, since
reading it could block forever or never end.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tomllib
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel

from ..errors import InputError, NoArticlesError
from ..schemas.briefing import Skipped
from .charset import declared_charset, decode
from .invisible import visible
from .names import headline, is_name, shorten

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
MANIFEST_NAME = "sources.toml"
# Refused before reading: a saved page with its images inlined stays well below this, and a
# text file this large would be some 12 million tokens, hundreds of times any article.
MAX_FILE_BYTES = 50_000_000
# Once the inputs hold more articles than one briefing takes, the rest is only listed (not
# read) to say how many there are; past this many more, the listing stops too (a home folder).
COUNT_CAP = 100_000
# What a path that is not a regular file is, for the reason it is skipped.
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)

# Where the outlet name came from; "file" is a file stem that reads as a name, "title" a label
# cut from the title when nothing names the outlet (see names.py).
OutletSource = Literal["manifest", "front_matter", "metadata", "text", "file", "url", "title"]
UNNAMED: frozenset[OutletSource] = frozenset({"file", "title"})


class Article(BaseModel):
    """One input article as read from disk, before cleaning."""

    id: str
    path: str
    title: str
    outlet: str
    outlet_source: OutletSource
    text: str
    url: str | None = None
    date: str | None = None
    # How the file's bytes were read ("utf-8", "cp1252", ...); None for text handed over decoded.
    encoding: str | None = None

    def encoding_note(self) -> str | None:
        """A line for the run's warnings when the text was not UTF-8 (the reading is a guess
        unless the page declared it, so the user should be able to see it)."""
        if self.encoding in (None, "utf-8"):
            return None
        return f"{self.path}: not UTF-8, read as {self.encoding}"


class IngestResult(BaseModel):
    articles: list[Article]
    skipped: list[Skipped]


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode (`st_mode`) is not read, or None for a regular file: a pipe or
    a device can block forever or never end, so it is never even opened."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"{kind}, not a regular file: not read"


def _walk(folder: Path) -> Iterator[Path]:
    """The article files under `folder`, lazily, in the order of their paths relative to it
    (a folder's entries sorted with "/" after each subfolder's name is exactly that order), so
    a caller that stops early has not listed the rest. Hidden names are left out; symlinked
    folders are not descended (a link loop), as with pathlib's rglob; an unreadable subfolder
    holds nothing."""
    try:
        with os.scandir(folder) as found:
            entries = [
                (e.name + "/" if e.is_dir(follow_symlinks=False) else e.name, e.name)
                for e in found
                if not e.name.startswith(".")
            ]
    except OSError:
        return
    for key, name in sorted(entries):
        if key.endswith("/"):
            yield from _walk(folder / name)
        elif Path(name).suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
            yield folder / name


def _collect(paths: Sequence[Path]) -> Iterator[Path]:
    """Expand folders recursively in a stable (sorted) order; keep named files as given."""
    for p in paths:
        if p.is_dir():
            yield from _walk(p)
        else:
            yield p


def _refusal(path: Path) -> str | None:
    """Why `path` is skipped before reading it (what it is, else its type), or None."""
    reason = _not_regular(path.stat().st_mode)
    suffix = path.suffix.lower()
    if reason is None and suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        reason = f"unsupported file type {suffix!r}"
    return reason


def _names(paths: Sequence[Path]) -> str:
    """The paths for a message, the first three of many."""
    shown = ", ".join(str(p) for p in paths[:3])
    return shown + (f" and {len(paths) - 3:,} more" if len(paths) > 3 else "")


def too_many(what: str, limit: int) -> InputError:
    """The error for inputs holding more articles than one briefing takes; `what` says how
    many, and where."""
    return InputError(
        f"{what}, more than the {limit} articles one briefing takes: brief fewer, or raise the "
        "limit with --max-articles (max_articles in the config)."
    )


def load_manifest(path: Path) -> dict[str, dict[str, str]]:
    """Read `sources.toml`: `[sources."file name"]` tables with outlet / title / url / date."""
    try:
        data = tomllib.loads(_read_regular(path).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable manifest ({exc}).") from exc
    sources = data.get("sources", {})
    if not isinstance(sources, dict) or not all(isinstance(v, dict) for v in sources.values()):
        raise InputError(f'{path}: expected tables like [sources."article.txt"] outlet = "...".')
    return {name: {k: str(v) for k, v in entry.items()} for name, entry in sources.items()}


_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split simple `key: value` front matter from the body (no YAML features needed)."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[m.end() :]


_NAMED_LINE = re.compile(r"^(?:source|publisher|outlet|published by)\s*:\s*(.{2,60})$", re.I | re.M)


def _outlet_from_text(text: str) -> str | None:
    """An outlet the text itself names on a `Source: X`-style line; never a guess."""
    m = _NAMED_LINE.search(text)
    return m.group(1).strip() if m else None


def _too_large(size: int) -> str:
    return (
        f"{size / 1e6:.1f} MB, over the {MAX_FILE_BYTES // 1_000_000} MB limit for one input "
        "file (no article is that large)"
    )


def _check(info: os.stat_result) -> None:
    """Refuse (ValueError) what is not a regular file, or too large to be an article."""
    if reason := _not_regular(info.st_mode):
        raise ValueError(reason)
    if info.st_size > MAX_FILE_BYTES:
        raise ValueError(_too_large(info.st_size))


def _read_regular(path: Path) -> bytes:
    """A regular file's bytes; anything else is refused (ValueError) before it is opened, and a
    file too large to be an article before it is read."""
    _check(path.stat())  # follows a symlink: a link to a FIFO is refused as the FIFO
    # Opened without waiting (should the name have become a FIFO since, opening it would wait
    # for a writer) and checked again, on what was opened.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        _check(os.fstat(fd))
        data = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(_too_large(len(data)))
    return data


def _read_bytes(path: Path) -> bytes:
    """The article file's bytes, refusing (ValueError) one that cannot be an article."""
    data = _read_regular(path)
    if not data.strip():
        raise ValueError("empty file")
    return data


def _extract_html(html: str) -> tuple[str, dict[str, str]]:
    """Main article text and metadata through trafilatura (drops menus, comments, footers),
    invisible characters removed (those written as entities are only decoded here)."""
    import trafilatura

    text = trafilatura.extract(
        html, include_comments=False, include_tables=True, favor_precision=True
    )
    meta = trafilatura.extract_metadata(html)
    info: dict[str, str] = {}
    if meta is not None:
        for key in ("title", "sitename", "url", "date"):
            value = visible(str(getattr(meta, key, None) or "")).strip()
            if value:
                info[key] = value
    return visible(text or ""), info


def _unnamed_outlet(path: Path, title: str) -> tuple[str, OutletSource]:
    """The label of an article nothing names the outlet of: its file stem when that reads as a
    name, else its title, shortened (never an id such as "000_37727bd3f3f41417")."""
    if is_name(path.stem):
        return path.stem, "file"
    return shorten(title), "title"


def outlet_notes(articles: Sequence[Article]) -> list[str]:
    """One warning line naming the files whose outlet nothing named, and how to name it."""
    unnamed = [a for a in articles if a.outlet_source in UNNAMED]
    if not unnamed:
        return []
    names = [Path(a.path).name for a in unnamed]
    files = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return [
        f"No outlet named for {files}: shown by file name or title. Name each in a "
        f'{MANIFEST_NAME} beside the files ([sources."{names[0]}"] outlet = "...") or in front '
        "matter (outlet: ...)."
    ]


def _visible_values(entries: dict[str, str] | None) -> dict[str, str]:
    """The entries with their values' invisible characters removed; the empty ones left out."""
    cleaned = {k: visible(v).strip() for k, v in (entries or {}).items()}
    return {k: v for k, v in cleaned.items() if v}


def read_article(path: Path, manifest: dict[str, str] | None = None) -> Article:
    """Read one file into an Article; raises ValueError with a reason when it is unusable."""
    data = _read_bytes(path)
    is_html = path.suffix.lower() in HTML_SUFFIXES
    raw, encoding = decode(data, declared_charset(data) if is_html else None)
    manifest = _visible_values(manifest)
    meta: dict[str, str] = {}
    outlet_source: OutletSource = "file"
    outlet: str | None = None
    if is_html:
        text, html_meta = _extract_html(raw)
        meta.update(html_meta)
        if html_meta.get("sitename"):
            outlet, outlet_source = html_meta["sitename"], "metadata"
    else:
        fm, text = _front_matter(visible(raw))
        meta.update(fm)
        for key in ("outlet", "source", "publisher"):
            if fm.get(key):
                outlet, outlet_source = fm[key], "front_matter"
                break
    if not text.strip():
        raise ValueError("no article text found")
    if manifest.get("outlet"):
        outlet, outlet_source = manifest["outlet"], "manifest"
    if outlet is None:
        named = _outlet_from_text(text)
        if named:
            outlet, outlet_source = named, "text"
    title = manifest.get("title") or meta.get("title") or headline(text) or visible(path.stem)
    if outlet is None:
        outlet, outlet_source = _unnamed_outlet(path, title)
    return Article(
        id=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
        path=str(path),
        title=title,
        outlet=outlet,
        outlet_source=outlet_source,
        text=text,
        url=manifest.get("url") or meta.get("url"),
        date=manifest.get("date") or meta.get("date"),
        encoding=encoding,
    )


def read_page(
    content: str,
    url: str,
    *,
    html: bool = True,
    outlet: str | None = None,
    title: str | None = None,
    date: str | None = None,
    encoding: str | None = None,
) -> Article:
    """An Article from a fetched page (a feed entry's link or a single URL), extracted like an
    HTML file. The page's own site name wins over `outlet` (e.g. a feed title), then the host.
    `encoding` is what the caller decoded the page with, if it knows (charset.decode says).
    Raises ValueError with a reason when the page is too large or holds no article text."""
    if len(content) > MAX_FILE_BYTES:
        raise ValueError(_too_large(len(content)))
    meta: dict[str, str] = {}
    if html:
        text, meta = _extract_html(content)
    else:
        text = visible(content)
    if not text.strip():
        raise ValueError("no article text found")
    given = _visible_values({"outlet": outlet or "", "title": title or ""})
    host = urlparse(url).hostname or url
    found: tuple[str, OutletSource] = (host.removeprefix("www."), "url")
    if meta.get("sitename"):
        found = (meta["sitename"], "metadata")
    elif given.get("outlet"):
        found = (given["outlet"], "metadata")
    return Article(
        id=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
        path=url,
        title=given.get("title") or meta.get("title") or headline(text) or host,
        outlet=found[0],
        outlet_source=found[1],
        text=text,
        url=url,
        date=date or meta.get("date"),
        encoding=encoding,
    )


def _manifests(paths: Sequence[Path], manifest: Path | None) -> dict[str, dict[str, str]]:
    """The manifest given, else the sources.toml in each folder given."""
    if manifest is not None:
        return load_manifest(manifest)
    entries: dict[str, dict[str, str]] = {}
    for p in paths:
        if p.is_dir() and (p / MANIFEST_NAME).is_file():
            entries.update(load_manifest(p / MANIFEST_NAME))
    return entries


def ingest(
    paths: Sequence[Path], manifest: Path | None = None, max_articles: int | None = None
) -> IngestResult:
    """Read every article under `paths`; skip (with a reason) what cannot be used.

    More than `max_articles` usable articles is an error, raised at the first one too many:
    the rest is listed to say how many files there are, never read.
    """
    for p in paths:
        if not p.exists():
            raise InputError(f"{p}: no such file or folder.")
    entries = _manifests(paths, manifest)
    articles: list[Article] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    files = _collect(paths)
    for n, path in enumerate(files, start=1):
        try:
            if reason := _refusal(path):
                skipped.append(Skipped(path=str(path), reason=reason))
                continue
            article = read_article(path, entries.get(path.name))
        except (ValueError, OSError) as exc:
            skipped.append(Skipped(path=str(path), reason=str(exc)))
            continue
        if article.id in seen:
            skipped.append(Skipped(path=str(path), reason=f"duplicate of {seen[article.id]}"))
            continue
        seen[article.id] = str(path)
        articles.append(article)
        if max_articles is not None and len(articles) > max_articles:
            more = sum(1 for _ in islice(files, COUNT_CAP))
            count = f"{'over ' if more == COUNT_CAP else ''}{n + more:,}"
            raise too_many(f"{_names(paths)}: {count} article files", max_articles)
    if not articles:
        detail = f" ({len(skipped)} skipped)" if skipped else ""
        raise NoArticlesError(
            f"No usable articles in {_names(paths)}{detail}: give .txt, .md or .html files "
            "with text."
        )
    return IngestResult(articles=articles, skipped=skipped)
