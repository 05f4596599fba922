import errno
import os
import stat
from pathlib import Path

import pytest

from briefer import atomic
from briefer.atomic import write_atomic
from briefer.errors import StorageError


def test_writes_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "out" / "nested" / "briefing.md"
    write_atomic(target, "first ✓\n")
    assert target.read_text("utf-8") == "first ✓\n"
    write_atomic(target, b"second\n")
    assert target.read_text("utf-8") == "second\n"
    assert [p.name for p in target.parent.iterdir()] == ["briefing.md"]


def test_a_full_disk_is_one_storage_error_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out" / "briefing.md"
    target.parent.mkdir()
    target.write_text("old briefing\n", encoding="utf-8")
    seen: list[str] = []

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        seen.append(Path(src).read_text("utf-8"))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(StorageError, match=r"Cannot write .*briefing.md: No space left on device"):
        write_atomic(target, "new briefing\n")
    assert seen == ["new briefing\n"]  # the new text was fully written to a temp file first
    assert target.read_text("utf-8") == "old briefing\n"
    assert [p.name for p in target.parent.iterdir()] == ["briefing.md"]


def test_cleans_up_when_encoding_fails(tmp_path: Path) -> None:
    target = tmp_path / "briefing.md"
    target.write_text("old briefing\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "lone surrogate \udc80")
    assert target.read_text("utf-8") == "old briefing\n"
    assert [p.name for p in tmp_path.iterdir()] == ["briefing.md"]


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_files_follow_the_umask(tmp_path: Path, umask: int, expected: int) -> None:
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "b.md", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "b.md").stat().st_mode) == expected


def test_an_existing_files_mode_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "b.md"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_writing_to_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "briefing.md"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["briefing.md"]


def test_a_read_only_folder_says_to_check_permissions_not_to_free_space(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
    with pytest.raises(StorageError) as info:
        write_atomic(tmp_path / "b.md", "x")
    assert "Permission denied; check the folder's permissions" in str(info.value)
    assert "free some space" not in str(info.value)
