"""The one atomic writer: every file briefer writes goes through a temp file and a rename.

A crash, a full disk or Ctrl-C never leaves a half-written file or a stray temp file behind.
Like any Unix tool, the new file's mode follows the umask (not mkstemp's 0600), and writing to
a symlink writes the file it points at instead of replacing the link.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import StorageError

_DEFAULT_MODE = 0o666


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _target(path: Path) -> Path:
    """Where the bytes go: a symlink's target (the link stays), else the path itself."""
    return path.resolve() if path.is_symlink() else path


def _reason(exc: OSError) -> str:
    """What went wrong and the fix, by error number."""
    what = exc.strerror or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{what}; free some space or choose another folder"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{what}; check the folder's permissions or choose another folder"
    return f"{what}; choose another folder"


def write_atomic(path: Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write `data` to `path` whole or not at all; an OSError becomes a StorageError."""
    target = _target(path)
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        if mode is None:
            try:
                mode = target.stat().st_mode & 0o777  # keep an existing file's mode
            except FileNotFoundError:
                mode = _DEFAULT_MODE & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise StorageError(f"Cannot write {path}: {_reason(exc)}.") from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
