"""Which files in the output briefer wrote, so it never overwrites or deletes anyone else's.

A folder's state records, by name, the sha256 of the bytes briefer wrote there. A file at a name
briefer wants is briefer's only while its bytes still hash to what briefer wrote; anything else
(a user's own home page, a briefing the user edited, a link, a folder) is the user's: briefer
leaves it alone and says so. The hash of the bytes being written is recorded before the write,
beside the hash of the bytes it replaces, so a run killed between the record and the rename
never makes briefer's own file look like a stranger's. Pages name briefer as their generator,
but that tag survives a user's edit, so it only vouches for files from before hashes were kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from ..atomic import write_atomic
from ..errors import UserError

GENERATOR = '<meta name="generator" content="briefer">'  # in the head of every page briefer writes
_NOT_A_FILE = "briefer did not write"  # a link, a folder: briefer writes only plain files


class ForeignFile(UserError):
    """A file briefer wants to write is not briefer's to overwrite; it was left alone."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"Did not overwrite {path}, which {why}.")
        self.path, self.why = path, why


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _contents(path: Path) -> bytes | None:
    """A regular file's bytes; None when nothing is there. A link or anything but a file is
    nobody's to overwrite: OSError."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise IsADirectoryError(f"{path} is not a regular file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `path` only when its bytes change (an unchanged run leaves the files alone)."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def has_generator_tag(path: Path) -> bool:
    """A page that names briefer as its generator (read only the head)."""
    try:
        with path.open("rb") as f:
            return GENERATOR.encode() in f.read(4096)
    except OSError:
        return False


class Owned(BaseModel):
    """The files briefer wrote in one folder: name -> sha256s of what it wrote there."""

    written: dict[str, list[str]] = Field(default_factory=dict)

    def why_not_ours(self, path: Path) -> str | None:
        """Why the file at `path` is not briefer's to replace or delete (None: it is, or
        nothing is there), as the end of "... which <reason>"."""
        try:
            return self._why(path.name, _contents(path))
        except OSError:
            return _NOT_A_FILE

    def _why(self, name: str, data: bytes | None) -> str | None:
        if data is None or digest(data) in self.written.get(name, []):
            return None
        if name in self.written:
            return "was changed after briefer wrote it"
        return "briefer did not write"

    def check(self, path: Path) -> None:
        """ForeignFile when the file at `path` is not briefer's to replace."""
        why = self.why_not_ours(path)
        if why is not None:
            raise ForeignFile(path, why)

    def adopt(self, folder: Path, names: Iterable[str], pages: Iterable[str] = ()) -> None:
        """Record the files an older briefer wrote here without hashes, as they are now: the
        `names` it always wrote, and the `pages` that carry its generator tag."""
        for name in [*names, *(p for p in pages if has_generator_tag(folder / p))]:
            try:
                data = _contents(folder / name)
            except OSError:
                continue
            if data is not None and name not in self.written:
                self.written[name] = [digest(data)]

    def write(self, path: Path, text: str, record: Path) -> bool:
        """Write `path` if nothing is there or briefer wrote what is there (or these very
        bytes), saving this record to `record` first; True when the file changed. ForeignFile
        (nothing written) when the file is someone else's."""
        data = text.encode("utf-8")
        try:
            old = _contents(path)
        except OSError:
            raise ForeignFile(path, _NOT_A_FILE) from None
        why = None if old == data else self._why(path.name, old)
        if why is not None:
            raise ForeignFile(path, why)
        # The bytes on disk and the bytes to come: either is briefer's, whenever a run stops.
        on_disk = [digest(old)] if old is not None else []
        self.written[path.name] = list(dict.fromkeys([digest(data), *on_disk]))
        self.save(record)
        if old == data:
            return False
        write_atomic(path, data)
        return True

    def save(self, path: Path) -> None:
        write_if_changed(path, (self.model_dump_json(indent=1) + "\n").encode("utf-8"))
