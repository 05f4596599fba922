"""The daily run never overwrites or deletes a file briefer did not write (issue 21, items 3
and 11): a user's home page or day index is left alone and the run says so in one line; a
story never takes the day index's name; a symlinked day folder is not written into; retention
compares a file with the hash of what briefer wrote, not with the generator tag. The same
pages in headless Chromium: tests/test_browser.py."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from briefer.daily.owned import GENERATOR
from briefer.daily.state import SITE_NAME, STATE_NAME

from .days import DAY, INDEX_RUN, MY_PAGE, NOW, Day, day, edited, index_story, model, run, snapshot
from .fakes import FakeEndpoint

__all__ = ["day"]  # a fixture, imported to be found

MY_NOTES = "# My notes for the day\n\nBuy milk.\n"


def test_a_users_home_page_survives_a_run_and_the_run_says_so(day: Day) -> None:
    day.out.mkdir()
    (day.out / "index.html").write_text(MY_PAGE)
    notes: list[str] = []
    cfg = day.config(formats='["md", "html"]')
    result = run(cfg, model(), notify=notes.append)
    assert result.status == "done", result.message
    home = day.out / "index.html"
    assert home.read_text() == MY_PAGE
    line = f"Did not overwrite {home}, which briefer did not write."
    assert notes.count(line) == 1
    assert result.left_alone == {str(home): "briefer did not write"}
    assert f"1 files left alone ({home}, which briefer did not write)" in result.message
    assert (day.out / DAY / "index.html").is_file()  # the rest of the run still completes
    assert not (day.out / SITE_NAME).exists()  # nothing of briefer's at the top to remember
    # The next run still leaves it alone, and still says so.
    notes.clear()
    again = run(cfg, FakeEndpoint(), notify=notes.append)
    assert again.status == "nothing_new" and line in notes
    assert home.read_text() == MY_PAGE


def test_a_users_day_index_md_survives(day: Day) -> None:
    folder = day.out / DAY
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(MY_NOTES)
    notes: list[str] = []
    result = run(day.config(), model(), notify=notes.append)
    assert result.status == "done", result.message
    assert (folder / "index.md").read_text() == MY_NOTES
    assert f"Did not overwrite {folder / 'index.md'}, which briefer did not write." in notes
    assert [s.status for s in result.stories] == ["written", "written"]
    assert all((folder / f).is_file() for s in result.stories for f in s.files)


def test_briefers_own_page_is_still_rewritten_and_a_link_is_not_followed(
    day: Day, tmp_path: Path
) -> None:
    cfg = day.config(formats='["html"]')
    assert run(cfg, model()).status == "done"
    home = day.out / "index.html"
    recorded = json.loads((day.out / SITE_NAME).read_text())["written"]["index.html"]
    assert len(recorded) == 1 and len(recorded[0]) == 64
    # A run a day later lists two days: briefer's page, as briefer wrote it, is rewritten.
    assert run(cfg, FakeEndpoint(), now=NOW + timedelta(days=1)).left_alone == {}
    assert "2026-03-11" in home.read_text()
    # A link put in its place is the user's: the file it points at is not written through.
    mine = tmp_path / "mine.html"
    mine.write_text(MY_PAGE)
    home.unlink()
    home.symlink_to(mine)
    result = run(cfg, FakeEndpoint(), now=NOW + timedelta(days=2))
    assert result.left_alone == {str(home): "briefer did not write"}
    assert home.is_symlink() and mine.read_text() == MY_PAGE


def test_a_story_titled_index_by_two_outlets_is_not_the_day_index(tmp_path: Path) -> None:
    cfg = index_story(tmp_path)
    result = run(cfg, model(INDEX_RUN))
    assert result.status == "done", result.message
    (story,) = result.stories
    assert story.slug == "index-story"
    folder = tmp_path / "out" / DAY
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "index-story.html",
        "index-story.md",
        "index.html",
        "index.md",
    ]
    assert (folder / "index.md").read_text().startswith(f"# Briefings for {DAY}")
    assert "](index-story.md)" in (folder / "index.md").read_text().replace("<", "")
    assert (folder / "index-story.md").read_text().startswith("# ")
    # The re-run finds the story as it left it: unchanged, no call, no file touched.
    before = snapshot(tmp_path / "out")
    again = run(cfg, FakeEndpoint())
    assert again.status == "nothing_new" and [s.status for s in again.stories] == ["unchanged"]
    assert snapshot(tmp_path / "out") == before


def test_a_symlinked_day_folder_is_not_written_into(day: Day, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    day.out.mkdir()
    (day.out / DAY).symlink_to(elsewhere)
    fake = FakeEndpoint()  # nothing may be briefed: it could not be kept
    result = run(day.config(formats='["md", "html"]'), fake)
    assert result.status == "failed"
    assert result.message == (
        f"Failed: {day.out / DAY} is a symbolic link; briefer writes a day only into a folder "
        "of its own, so this run wrote nothing (move it away and run again)."
    )
    assert list(elsewhere.iterdir()) == [] and fake.requests == [] and day.web.requests == []
    assert sorted(p.name for p in day.out.iterdir()) == [DAY]


def test_without_its_day_state_briefer_leaves_the_days_files_alone(day: Day) -> None:
    """The record of what briefer wrote is gone: its old files are no longer known to be its
    own, so they are left alone and each story fails saying why, before any call is paid."""
    cfg = day.config()
    assert run(cfg, model()).status == "done"
    folder = day.out / DAY
    (folder / STATE_NAME).unlink()
    before = snapshot(folder)
    fake = FakeEndpoint()
    result = run(cfg, fake)
    assert result.status == "failed" and fake.requests == []
    for story in result.stories:
        assert story.status == "failed"
        assert (
            story.error
            == f"Did not overwrite {folder / story.slug}.md, which briefer did not write."
        )
    assert {k: v for k, v in snapshot(folder).items() if not k.startswith(".")} == before


def test_an_older_briefers_day_state_without_hashes_still_works(day: Day) -> None:
    cfg = day.config(formats='["md", "html"]')
    assert run(cfg, model()).status == "done"
    state_file = day.out / DAY / STATE_NAME
    state = json.loads(state_file.read_text())
    del state["written"]  # as briefer wrote it before it kept hashes
    state_file.write_text(json.dumps(state))
    before = {k: v for k, v in snapshot(day.out).items() if not k.endswith(STATE_NAME)}
    result = run(cfg, FakeEndpoint())
    assert result.status == "nothing_new" and result.left_alone == {}
    assert {k: v for k, v in snapshot(day.out).items() if not k.endswith(STATE_NAME)} == before
    written = json.loads(state_file.read_text())["written"]
    assert set(written) == {"index.md", "index.html", *(f for s in result.stories for f in s.files)}


def test_retention_keeps_an_edited_page_that_still_carries_the_generator_tag(day: Day) -> None:
    cfg = day.config(formats='["md", "html"]')
    assert run(cfg, model()).status == "done"
    folder = day.out / DAY
    page = folder / "index.html"
    edited(page)
    assert GENERATOR in page.read_text() and "My notes" in page.read_text()
    notes: list[str] = []
    result = run(cfg, FakeEndpoint(), now=NOW + timedelta(days=5), notify=notes.append)
    assert result.pruned == []
    assert (
        f"Kept {folder} past keep_days: it holds 'index.html', which was changed after "
        "briefer wrote it." in notes
    )
    assert GENERATOR in page.read_text() and "My notes: call Bob." in page.read_text()


def test_retention_keeps_an_edited_story_file_and_its_folder(day: Day) -> None:
    cfg = day.config()
    first = run(cfg, model())
    folder = day.out / DAY
    story = folder / first.stories[0].files[0]
    story.write_text(story.read_text() + "\nMy own conclusion.\n")
    notes: list[str] = []
    result = run(cfg, FakeEndpoint(), now=NOW + timedelta(days=5), notify=notes.append)
    assert result.pruned == [] and story.read_text().endswith("My own conclusion.\n")
    assert (
        f"Kept {folder} past keep_days: it holds {story.name!r}, which was changed after "
        "briefer wrote it." in notes
    )
    # Unedited, briefer's day goes as before, with what an interrupted write of its left.
    story.write_text(story.read_text().removesuffix("\nMy own conclusion.\n"))
    (folder / f".{STATE_NAME}.k2j4h5x1.tmp").write_text("{")
    (folder / f".{story.name}.a8b7c6d5.tmp").write_text("half")
    assert run(cfg, FakeEndpoint(), now=NOW + timedelta(days=6)).pruned == [DAY]
