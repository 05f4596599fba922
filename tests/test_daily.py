"""The daily run end to end over a fixture folder and a loopback feed server, with a fake
paid for, lock contention, retention, and articles never briefed twice."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from briefer.daily.lock import OLD_LOCK_NAME, RunLock
from briefer.daily.run import run_daily
from briefer.local import embedded
from briefer.model.cache import CallCache, store_path
from briefer.schemas.briefing import Briefing, SourceRef
from briefer.settings import find_home

from .conftest import model_settings
from .days import DATA, DAY, FULL_RUN, NOW, Day, day, model, run, snapshot
from .fakes import FakeEndpoint, error
from .schema_fake import reply
from .standin import install
from .verbatim import shown_quotes, verbatim_in

__all__ = ["day"]  # a fixture, imported to be found
BRIDGE = "millbrook-harbor-bridge-girder"
LIBRARY = "library-board-branch-hours"


def cached_calls() -> int:
    path = store_path(find_home())
    return CallCache(path).count() if path.exists() else 0


def recording_endpoint(opened: list[str]) -> Any:
    """An endpoint class that notes in `opened` when a run opens and closes it."""

    class Endpoint:
        def __init__(self, settings: Any) -> None:
            self.settings = settings

        def __enter__(self) -> Any:
            opened.append("open")
            return self.settings

        def __exit__(self, *exc: object) -> None:
            opened.append("close")

    return Endpoint


def test_daily_run_writes_the_dated_layout(day: Day) -> None:
    fake = model()
    result = run(day.config(), fake)
    assert result.status == "done", result.message
    folder = day.out / DAY
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        [f"{BRIDGE}.md", f"{BRIDGE}.json", f"{LIBRARY}.md", f"{LIBRARY}.json", "index.md"]
    )
    assert not list(day.out.rglob("*.tmp")) and not day.lock.exists()
    assert not (day.out / OLD_LOCK_NAME).exists()

    bridge = Briefing.model_validate_json((folder / f"{BRIDGE}.json").read_text())
    assert sorted(s.outlet for s in bridge.sources) == [
        "Coastal Times",
        "Metro Wire",
        "Valley Post",
    ]
    assert (folder / f"{BRIDGE}.md").read_text().startswith("# ")
    library = Briefing.model_validate_json((folder / f"{LIBRARY}.json").read_text())
    assert sorted(s.outlet for s in library.sources) == [
        "Harbor Gazette",
        "Metro Wire",
        "Valley Post",
    ]

    # Every request was a paid call, and each is in the cache and the log.
    calls = sum(s.model_calls for s in result.stories)
    assert calls == len(fake.requests) == FULL_RUN
    assert cached_calls() == len(fake.requests)

    index = (folder / "index.md").read_text()
    assert f"]({BRIDGE}.md) ([json]({BRIDGE}.json)): 3 articles from" in index.replace(
        "<", ""
    ).replace(">", "")
    assert f"({LIBRARY}.md" in index.replace("<", "")
    assert "Family bakery on Dock Road wins national sourdough prize: Town Crier" in index
    assert f"{day.web.base}/gone.html: HTTP 404" in index
    assert f"{day.web.base}/dead.xml: feed: HTTP 404" in index
    assert "zz-syndicated-bridge.txt: near-duplicate of" in index
    assert f"{day.web.base}/bridge.html#top: duplicate (same page) of" in index
    assert "1 older than the 24-hour window" in index
    assert [d.path for d in result.duplicates] == [
        str(day.root / "inbox" / "zz-syndicated-bridge.txt"),
        f"{day.web.base}/bridge.html#top",
    ]


def test_second_run_over_unchanged_input_makes_zero_model_calls(day: Day) -> None:
    cfg = day.config()
    first = model()
    assert run(cfg, first).status == "done"
    paid, before = len(first.requests), snapshot(day.out)
    log = CallCache(store_path(find_home())).recent(1000)

    second = FakeEndpoint()  # any request fails the test
    result = run(cfg, second)
    assert result.status == "nothing_new", result.message
    assert result.message.startswith("Nothing new: 0 stories briefed, 2 unchanged")
    assert second.requests == []
    assert cached_calls() == paid
    assert CallCache(store_path(find_home())).recent(1000) == log
    assert snapshot(day.out) == before

    # Even with the day's folder gone, the briefings come from the call cache alone.
    shutil.rmtree(day.out / DAY)
    third = FakeEndpoint()
    result = run(cfg, third)
    assert result.status == "done"
    assert third.requests == [] and cached_calls() == paid
    assert sum(s.cached_calls for s in result.stories) == paid
    assert sum(s.model_calls for s in result.stories) == 0


def test_failed_run_resumes_from_what_was_paid_for(
    day: Day, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cfg = day.config()
    # How many calls a whole run takes, measured in a separate state folder.
    monkeypatch.setenv("BRIEFER_HOME", str(tmp_path / "reference-home"))
    reference = model()
    run(cfg.model_copy(update={"output": tmp_path / "reference-out"}), reference)
    total = len(reference.requests)
    monkeypatch.setenv("BRIEFER_HOME", str(tmp_path / "home"))

    # The endpoint dies at call k, in the second story, and stays down: the run fails. A call
    # already under way when the error arrived may also have been sent (and failed).
    k = total - 2
    down = error(503, "server went away")
    dying = FakeEndpoint(*([reply] * (k - 1)), down, down, spare=1)
    result = run(cfg, dying)
    assert result.status == "failed"
    assert len(dying.requests) in (k, k + 1)
    assert cached_calls() == k - 1
    assert [s.status for s in result.stories] == ["written", "failed"]
    assert "server went away" in (result.stories[1].error or "")
    assert "Not briefed because of an error (1)" in (day.out / DAY / "index.md").read_text()
    assert (day.out / DAY / f"{result.stories[0].slug}.md").is_file()
    assert not day.lock.exists()

    # The re-run pays only for the calls that were not paid for.
    resumed = model(total - (k - 1))
    result = run(cfg, resumed)
    assert result.status == "done"
    assert [s.status for s in result.stories] == ["unchanged", "written"]
    assert len(resumed.requests) == total - (k - 1)
    assert resumed.requests == reference.requests[k - 1 :]
    assert cached_calls() == total


def test_endpoint_failure_stops_the_remaining_stories(day: Day) -> None:
    dead = FakeEndpoint(error(503, "down"), error(503, "down"), spare=1)
    result = run(day.config(), dead)
    assert result.status == "failed"
    assert [s.status for s in result.stories] == ["failed", "not_attempted"]
    # The first call fails (one more may already be under way); the second story sends none.
    assert len(dead.requests) in (1, 2)
    assert result.message.startswith("Failed: 0 stories briefed, 0 unchanged, 2 failed")


def test_second_run_while_the_first_holds_the_lock_does_nothing(day: Day) -> None:
    cfg = day.config()
    lock = day.lock
    first = RunLock(lock)  # a run in progress, as this very process
    assert first.acquire()
    held = lock.read_text()
    fake = FakeEndpoint()
    result = run(cfg, fake)
    assert result.status == "locked"
    assert result.lock_holder == os.getpid()
    assert str(lock) in result.message and "did nothing" in result.message
    assert fake.requests == [] and day.web.requests == []
    assert not day.out.exists()
    assert lock.read_text() == held
    first.release()


def test_a_lock_held_for_hours_fails_the_run_loudly(day: Day) -> None:
    lock = day.lock
    assert RunLock(lock).acquire()
    record = json.loads(lock.read_text())
    record["created"] -= 13 * 3600  # a live run that took the lock 13 hours ago
    lock.write_text(json.dumps(record))
    notes: list[str] = []
    fake = FakeEndpoint()
    result = run(day.config(), fake, notify=notes.append)
    assert result.status == "failed" and fake.requests == []
    assert result.message.startswith(
        f"Another briefer daily run (pid {os.getpid()}) has held {lock} for 13 hours"
    )
    assert notes == [result.message]


@pytest.mark.parametrize("where", ["state folder", "output (an older briefer's)"])
def test_lock_left_by_a_killed_run_is_taken_over(day: Day, where: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(child.stdout)
    lock = day.lock if where == "state folder" else day.out / OLD_LOCK_NAME
    lock.parent.mkdir(parents=True)
    lock.write_text(f"{dead_pid}\n")
    notes: list[str] = []
    result = run(day.config(), model(), notify=notes.append)
    assert result.status == "done"
    assert f"Took over the lock of an earlier run (pid {dead_pid}) that is gone." in notes
    assert not lock.exists() and not day.lock.exists()


def briefers_day(folder: Path, *slugs: str) -> None:
    """A dated folder as a run leaves it: the day state, the index and the briefings."""
    folder.mkdir()
    stories = {s: {"input": "x", "title": s, "files": [f"{s}.md"], "articles": []} for s in slugs}
    (folder / ".briefer-state.json").write_text(json.dumps({"stories": stories}))
    for name in ("index.md", *(f"{s}.md" for s in slugs)):
        (folder / name).write_text("x")


def test_retention_deletes_only_old_dated_folders(day: Day, tmp_path: Path) -> None:
    elsewhere = tmp_path / "keep-me"
    elsewhere.mkdir()
    day.out.mkdir()
    for name in ("2026-03-01", "2026-03-07", "2026-03-08", "2026-03-09"):
        briefers_day(day.out / name, "some-story")
    for name in ("notes", "2026-13-45"):
        (day.out / name).mkdir()
        (day.out / name / "index.md").write_text("x")
    (day.out / "2026-03-02").symlink_to(elsewhere)
    (day.out / "2026-03-03.md").write_text("a file, not a day")
    result = run(day.config(), model())  # keep_days = 3: 03-08, 03-09, 03-10
    assert result.pruned == ["2026-03-01", "2026-03-07"]
    assert sorted(p.name for p in day.out.iterdir() if not p.name.startswith(".")) == [
        "2026-03-02",
        "2026-03-03.md",
        "2026-03-08",
        "2026-03-09",
        DAY,
        "2026-13-45",
        "notes",
    ]
    assert elsewhere.is_dir()


def test_retention_keeps_dated_folders_briefer_did_not_make_or_fill(day: Day) -> None:
    day.out.mkdir()
    photos = day.out / "2026-03-01"
    photos.mkdir()
    (photos / "index.md").write_text("my own notes")
    (photos / "beach.jpg").write_bytes(b"\xff\xd8\xff\xe0 not briefer's")
    mixed = day.out / "2026-03-02"
    briefers_day(mixed, "old-story")
    (mixed / "beach.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    nested = day.out / "2026-03-03"
    briefers_day(nested, "old-story")
    (nested / "raw").mkdir()
    interrupted = day.out / "2026-03-04"
    briefers_day(interrupted, "old-story")
    (interrupted / ".old-story.md.k2j4h5x1.tmp").write_text("half")
    # A page named like briefer's day index, that briefer did not write.
    own_page = day.out / "2026-03-05"
    briefers_day(own_page, "old-story")
    (own_page / "index.html").write_text("<!doctype html><title>My notes</title>")
    notes: list[str] = []
    result = run(day.config(), model(), notify=notes.append)
    assert result.pruned == ["2026-03-04"]
    assert (own_page / "index.html").read_text().endswith("My notes</title>")
    assert (
        f"Kept {own_page} past keep_days: it holds 'index.html', which briefer did not write."
        in (notes)
    )
    assert (photos / "beach.jpg").read_bytes().endswith(b"not briefer's")
    assert (photos / "index.md").read_text() == "my own notes"
    assert sorted(p.name for p in mixed.iterdir()) == [
        ".briefer-state.json",
        "beach.jpg",
        "index.md",
        "old-story.md",
    ]
    assert (nested / "raw").is_dir() and not interrupted.exists()
    assert f"Kept {mixed} past keep_days: it holds 'beach.jpg', which briefer did not write." in (
        notes
    )
    assert f"Kept {nested} past keep_days: it holds 'raw', which briefer did not write." in notes


def test_a_day_with_nothing_briefed_is_marked_as_briefers_and_pruned_later(
    day: Day, tmp_path: Path
) -> None:
    cfg = day.config(feeds=("dead.xml",))
    cfg = cfg.model_copy(
        update={"sources": cfg.sources.model_copy(update={"folders": [str(tmp_path / "gone")]})}
    )
    assert run(cfg, FakeEndpoint()).stories == []
    assert (day.out / DAY / ".briefer-state.json").is_file()
    later = run(cfg, FakeEndpoint(), now=NOW + timedelta(days=3))
    assert later.pruned == [DAY]


def test_an_article_briefed_yesterday_is_not_briefed_again(day: Day) -> None:
    cfg = day.config(extra="window_hours = 48")
    assert run(cfg, model()).status == "done"
    tomorrow = FakeEndpoint()
    result = run(cfg, tomorrow, now=NOW + timedelta(days=1))
    assert result.status == "nothing_new"
    assert tomorrow.requests == []
    assert result.stories == [] and result.seen_before == 6
    index = (day.out / "2026-03-11" / "index.md").read_text()
    assert "No story was covered by enough outlets to brief." in index
    assert "6 briefed on an earlier day" in index


def test_every_source_failing_is_a_failed_run(day: Day, tmp_path: Path) -> None:
    cfg = day.config(feeds=("dead.xml",))
    cfg = cfg.model_copy(
        update={"sources": cfg.sources.model_copy(update={"folders": [str(tmp_path / "gone")]})}
    )
    result = run(cfg, FakeEndpoint())
    assert result.status == "failed"
    assert {s.reason for s in result.skipped} == {"no such folder", "feed: HTTP 404"}


def test_the_endpoint_is_opened_only_when_a_story_needs_briefing(day: Day) -> None:
    cfg = day.config()
    opened: list[str] = []

    Endpoint = recording_endpoint(opened)

    assert run(cfg, model(), endpoint=Endpoint).status == "done"
    assert opened == ["open", "close"]
    assert run(cfg, FakeEndpoint(), endpoint=Endpoint).status == "nothing_new"
    assert opened == ["open", "close"]  # nothing to brief: no model server started


def test_an_all_cached_story_starts_no_embedded_server(
    day: Day, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = install(monkeypatch, tmp_path)
    cfg = day.config()

    def serve_embedded(settings: Any) -> Any:
        return embedded.endpoint(settings, "default")

    assert run(cfg, model(), endpoint=serve_embedded).status == "done"
    assert len(server.started()) == 1 and not server.instances[0].running
    # The day's folder is gone, so both stories are briefed again, every call from the cache.
    shutil.rmtree(day.out / DAY)
    result = run(cfg, FakeEndpoint(), endpoint=serve_embedded)
    assert result.status == "done" and sum(s.cached_calls for s in result.stories) == FULL_RUN
    assert len(server.started()) == 1  # the first run's; this one loaded no model


def test_fake_model_answers_any_schema() -> None:
    body = {
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "X",
                "schema": {
                    "type": "object",
                    "properties": {
                        "a": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/B"}}
                    },
                    "$defs": {"B": {"type": "object", "properties": {"k": {"enum": ["x", "y"]}}}},
                },
            },
        }
    }
    assert json.loads(reply(body).content)["choices"][0]["message"]["content"] == (
        '{"a": [{"k": "x"}, {"k": "x"}]}'
    )
    assert isinstance(reply(body), httpx2.Response)


@dataclass
class Story:
    articles: set[str]  # the fixture files (folder or web) the story groups
    subject: str  # a word the title and the summary must name


STORIES = {
    BRIDGE: Story({"coastal-times-bridge.txt", "valley-post-bridge.md", "bridge.html"}, "bridge"),
    LIBRARY: Story({"valley-post-library.txt", "library-gazette.html", "library.html"}, "library"),
}


def fixture_name(source: SourceRef) -> str:
    """The fixture file an article came from: the folder file, or the page the URL names."""
    return PurePosixPath(urlsplit(source.url).path).name if source.url else Path(source.path).name


def fixture_text(source: SourceRef) -> str:
    """The article as the fixture holds it: a folder file as is, a web page without its tags."""
    if source.url is None:
        return (DATA / "folder" / fixture_name(source)).read_text(encoding="utf-8")
    page = (DATA / "web" / fixture_name(source)).read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]*>", " ", page))


def mentions(text: str, subject: str) -> bool:
    """`text` names the subject, in the singular or the plural ("library", "libraries")."""
    plural = subject[:-1] + "ies" if subject.endswith("y") else subject + "s"
    return any(form in text.casefold() for form in (subject, plural))


def check_story(b: Briefing, story: Story) -> None:
    """What a real model's briefing of one story must show, judged from the fixtures."""
    assert {fixture_name(s) for s in b.sources} == story.articles
    ids = {s.id for s in b.sources}
    assert [o.article_id for o in b.outlets] == [s.id for s in b.sources]  # every outlet compared
    assert mentions(b.title, story.subject), b.title
    assert mentions(" ".join(c.text for c in b.summary), story.subject)
    assert all(c.citations and set(c.citations) <= ids for c in [*b.summary, *b.takeaways])
    assert 1 <= len(b.takeaways) <= 5
    texts = {s.id: fixture_text(s) for s in b.sources}
    shown = shown_quotes(b)
    # Where an article quotes someone by name, the briefing shows it (the library story's
    # articles put nobody in quotation marks).
    quoting = [t for t in texts.values() if re.search(r'"[^"]{20,}," \w+ (?:\w+ )?said', t)]
    assert shown or not quoting, "the briefing shows no quotes at all"
    for article_id, quote in shown:
        assert verbatim_in(quote, texts[article_id]), (article_id, quote)


@pytest.mark.vcr
def test_daily_run_with_the_real_model_then_nothing_new(day: Day, cassette: Any) -> None:
    """The fixture folder plus the loopback feeds, briefed by the real local model (cassette;
    the feeds and pages still come from the loopback server). The second run makes no call."""
    cfg = day.config()
    first = run_daily(cfg, model_settings(), NOW)
    assert first.status == "done", first.message
    written = [s for s in first.stories if s.status == "written"]
    assert sorted(s.slug for s in written) == sorted([BRIDGE, LIBRARY])
    for story in written:
        b = Briefing.model_validate_json((day.out / DAY / f"{story.slug}.json").read_text())
        check_story(b, STORIES[story.slug])
        assert (day.out / DAY / f"{story.slug}.md").read_text().startswith("# ")
    paid = sum(s.model_calls for s in first.stories)
    assert paid == len(cassette.data) == cached_calls()

    second = run_daily(cfg, model_settings(), NOW)
    assert second.status == "nothing_new", second.message
    assert sum(s.model_calls for s in second.stories) == 0
    assert cached_calls() == paid  # nothing new was paid for, as the call log shows


def test_with_html_among_the_formats_the_output_folder_is_a_site(day: Day) -> None:
    cfg = day.config(formats='["md", "html"]')
    assert run(cfg, model()).status == "done"
    folder = day.out / DAY
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        [
            f"{BRIDGE}.md",
            f"{BRIDGE}.html",
            f"{LIBRARY}.md",
            f"{LIBRARY}.html",
            "index.md",
            "index.html",
        ]
    )
    day_index = (folder / "index.html").read_text()
    top = (day.out / "index.html").read_text()
    assert f'href="{BRIDGE}.html"' in day_index and f'href="{LIBRARY}.html"' in day_index
    assert f'href="{DAY}/index.html"' in top and f'href="{DAY}/{BRIDGE}.html"' in top
    assert 'href="index.html"' in (folder / f"{BRIDGE}.html").read_text()
    # An unchanged re-run writes nothing, pages included.
    before = snapshot(day.out)
    assert run(cfg, FakeEndpoint()).status == "nothing_new"
    assert snapshot(day.out) == before
    # Retention deletes a day's pages with the day, and the site's index forgets it.
    later = NOW + timedelta(days=5)
    run(cfg, FakeEndpoint(), now=later)
    assert not folder.exists()
    assert f"{DAY}/" not in (day.out / "index.html").read_text()


def test_a_story_over_the_article_limit_fails_alone_before_the_endpoint_opens(day: Day) -> None:
    opened: list[str] = []

    Endpoint = recording_endpoint(opened)

    fake = FakeEndpoint()  # any request fails the test
    settings = model_settings(max_articles=2)  # each story has three articles
    result = run_daily(day.config(), settings, NOW, http_client=fake.client(), endpoint=Endpoint)
    assert result.status == "failed" and fake.requests == [] and opened == []
    assert [s.status for s in result.stories] == ["failed", "failed"]  # each fails alone
    for story in result.stories:
        assert story.error == (
            "3 articles, more than the 2 articles one briefing takes: brief fewer, or raise the "
            "limit with --max-articles (max_articles in the config)."
        )
    assert "more than the 2 articles" in (day.out / DAY / "index.md").read_text()
