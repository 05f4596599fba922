"""The HTML report in a real browser (headless Chromium, tests/browser.py): the seeds' page as
the recorded 1.5B run gives it, a page of hostile strings, and a daily site (also one beside
the user's own pages).

A page must load with no console error, no dialog and no request; every citation must land on
a highlighted passage of the cited article holding the cited sentence; the contradiction's two
sides must stand side by side on a desktop and one above the other on a phone; the text must
pass WCAG AA contrast in the light and the dark scheme."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from briefer.daily.result import ArticleRef, DailyResult, StoryOutcome
from briefer.daily.site import day_page, site_page
from briefer.daily.state import STATE_NAME, DayState, StoryState
from briefer.render.html import to_html
from briefer.schemas.briefing import Briefing, Skipped

from .browser import DESKTOP, PHONE, Watched, browser, open_page
from .days import DAY, INDEX_RUN, MY_PAGE, NOW, Day, day, edited, index_story, model, run
from .fakes import FakeEndpoint
from .hostile import HOSTILE, SENTENCE, poisoned

__all__ = ["browser", "day"]  # fixtures, imported to be found
HOSTILE_RUN = 5  # model calls of a daily run over the fixture folder and the hostile feed

# WCAG 2.x contrast of every element's own text against the background it is drawn on.
CONTRAST = """() => {
  const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = c => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const parse = s => {
    const m = s.match(/rgba?\\(([^)]+)\\)/);
    if (!m) throw new Error('unexpected colour ' + s);
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 };
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0) return c.rgb;
    }
    return parse(getComputedStyle(document.documentElement).backgroundColor).rgb;
  };
  const out = [];
  let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const st = getComputedStyle(el), r = el.getBoundingClientRect();
    if (st.display === 'none' || st.visibility === 'hidden' || !r.width || !r.height) continue;
    const [hi, lo] = [lum(parse(st.color).rgb), lum(background(el))].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05), size = parseFloat(st.fontSize);
    const large = size >= 24 || (parseInt(st.fontWeight) >= 700 && size >= 18.66);
    checked++;
    const what = `${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}"`;
    if (ratio < (large ? 3 : 4.5)) out.push(`${what} ${ratio.toFixed(2)}`);
  }
  return { checked, failures: out };
}"""

# Where a click on a link landed: the fragment, the element it targets and how it is shown.
LANDED = """() => {
  const t = document.querySelector(':target');
  if (!t) return { hash: location.hash };
  const r = t.getBoundingClientRect(), st = getComputedStyle(t);
  const body = getComputedStyle(document.body).backgroundColor;
  return {
    hash: location.hash, tag: t.tagName, text: t.textContent,
    article: t.closest('article.source') ? t.closest('article.source').id : null,
    inView: r.top >= 0 && r.top < innerHeight,
    marked: st.backgroundColor !== body && st.outlineStyle !== 'none',
  };
}"""


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.fixture(scope="session")
def seeds_page(seeds_briefing: Briefing, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "seeds.html"
    path.write_text(to_html(seeds_briefing), encoding="utf-8")
    return path


@pytest.fixture
def desktop(browser: Browser, seeds_page: Path) -> Iterator[Watched]:
    w = open_page(browser, seeds_page)
    yield w
    w.page.context.close()


def test_the_page_loads_with_no_error_no_request_and_fits_a_phone(
    browser: Browser, seeds_page: Path
) -> None:
    for size in (DESKTOP, PHONE):
        w = open_page(browser, seeds_page, size=size)
        assert w.problems() == []
        assert w.page.evaluate("document.querySelectorAll('script, img, iframe').length") == 0
        # Nothing wider than the screen (the coverage grid scrolls inside its own box).
        assert w.page.evaluate("document.documentElement.scrollWidth <= innerWidth"), size
        assert w.page.title() == w.page.locator("h1").inner_text()
        w.page.context.close()


def test_every_citation_lands_on_the_cited_sentence_highlighted(
    desktop: Watched, seeds_briefing: Briefing
) -> None:
    b, page = seeds_briefing, desktop.page
    numbers = {s.id: n for n, s in enumerate(b.sources, start=1)}
    expected = [
        (numbers[aid], item.evidence[aid])
        for item in [*b.summary, *b.takeaways]
        for aid in item.citations
    ]
    links = page.locator("a.cite")
    assert links.count() == len(expected) > 0
    for i, (number, sentence) in enumerate(expected):
        link = links.nth(i)
        assert link.inner_text() == str(number)
        link.click()
        landed = page.evaluate(LANDED)
        assert landed["hash"] == link.get_attribute("href")
        assert landed["tag"] == "MARK" and landed["article"] == f"a{number}", landed
        assert words(landed["text"]) == words(sentence)
        assert landed["inView"] and landed["marked"], landed
    assert desktop.problems() == []


def test_every_fact_of_the_coverage_grid_opens_that_outlets_sentence(
    desktop: Watched, seeds_briefing: Briefing
) -> None:
    b, page = seeds_briefing, desktop.page
    numbers = {s.id: n for n, s in enumerate(b.sources, start=1)}
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == len(b.coverage) >= 3
    for r, row in enumerate(b.coverage):
        cells = rows.nth(r).locator("td")
        assert cells.count() == len(b.sources)
        for s in b.sources:
            cell = cells.nth(numbers[s.id] - 1)
            if s.id not in row.reported:
                assert cell.inner_text() in ("–", "≈")
                continue
            cell.locator("a").click()
            landed = page.evaluate(LANDED)
            assert landed["article"] == f"a{numbers[s.id]}", landed
            assert words(landed["text"]) == words(row.reported[s.id])


def test_the_contradiction_shows_both_sides_in_their_own_words(
    browser: Browser, seeds_page: Path, seeds_briefing: Briefing
) -> None:
    (trade,) = seeds_briefing.contradictions
    for size, side_by_side in ((DESKTOP, True), (PHONE, False)):
        w = open_page(browser, seeds_page, size=size)
        sides = w.page.locator(".conflict .side")
        assert sides.count() == 2
        boxes = [sides.nth(i).bounding_box() for i in range(2)]
        assert boxes[0] and boxes[1]
        for i, side in enumerate(trade.sides):
            assert sides.nth(i).locator("blockquote").inner_text() == f"“{side.quote}”"
            assert side.outlet in sides.nth(i).locator("figcaption").inner_text()
        if side_by_side:
            assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]
        else:
            assert boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"]
        # "Read it in the article" opens each side's sentence in its article.
        for i, side in enumerate(trade.sides):
            sides.nth(i).locator("a.context").click()
            landed = w.page.evaluate(LANDED)
            assert landed["tag"] == "MARK" and words(landed["text"]) == words(side.quote)
        assert w.problems() == []
        w.page.context.close()


def test_the_page_prints_without_its_navigation(browser: Browser, seeds_page: Path) -> None:
    w = open_page(browser, seeds_page)
    w.page.emulate_media(media="print")
    assert w.page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
    mark = "getComputedStyle(document.querySelector('mark')).textDecorationLine"
    assert w.page.evaluate(mark) == "underline"  # highlights survive a black-and-white print
    pdf = w.page.pdf(format="A4")
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    assert pdf.startswith(b"%PDF") and len(pages) > 3, len(pages)
    assert w.problems() == []
    w.page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_passes_wcag_aa_contrast(browser: Browser, seeds_page: Path, scheme: str) -> None:
    w = open_page(browser, seeds_page, scheme=scheme)
    dark = w.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert dark == (scheme == "dark")
    w.page.locator("a.cite").first.click()  # a target mark is drawn as well
    found = w.page.evaluate(CONTRAST)
    assert found["checked"] > 100 and found["failures"] == []
    w.page.context.close()


def test_hostile_strings_run_nothing(
    browser: Browser, seeds_briefing: Briefing, tmp_path: Path
) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(to_html(poisoned(seeds_briefing)), encoding="utf-8")
    w = open_page(browser, path)
    for link in w.page.locator("a.cite").all()[:3]:
        link.click()
    assert w.problems() == []
    counted = "document.querySelectorAll('script, img, svg, iframe, [onerror], [onload]').length"
    assert w.page.evaluate(counted) == 0
    assert HOSTILE in w.page.locator("h1").inner_text()
    # The hostile sentence of an article is shown, highlighted, as the text it is, from the
    # citation and from the contradiction's side.
    for link in (w.page.locator("a.cite").first, w.page.locator(".side a.context").first):
        link.click()
        assert w.page.evaluate(LANDED)["text"] == SENTENCE
        assert w.page.locator(".side blockquote").first.inner_text() == f"“{SENTENCE}”"
    w.page.context.close()


def hostile_day(folder: Path) -> DailyResult:
    """A day whose feed titles, outlets, paths and reasons are all hostile markup."""
    folder.mkdir(parents=True)
    name = "story.html"
    (folder / name).write_text("<!doctype html><title>story</title>", encoding="utf-8")
    state = DayState(
        stories={"story": StoryState(input="x", title=HOSTILE, files=[name], articles=[HOSTILE])}
    )
    state.save(folder / STATE_NAME)
    return DailyResult(
        status="done",
        day=folder.name,
        folder=str(folder),
        stories=[
            StoryOutcome(
                slug="story",
                title=HOSTILE,
                articles=[HOSTILE],
                outlets=[HOSTILE],
                status="written",
                files=[name],
            ),
            StoryOutcome(
                slug="bad", title=HOSTILE, articles=[], outlets=[], status="failed", error=HOSTILE
            ),
        ],
        singles=[ArticleRef(title=HOSTILE, outlet=HOSTILE, path=HOSTILE)],
        skipped=[Skipped(path=HOSTILE, reason=HOSTILE)],
    )


def test_a_day_of_hostile_feed_titles_runs_nothing(browser: Browser, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "2026-03-10"
    (folder / "index.html").write_text(day_page(hostile_day(folder), 24), encoding="utf-8")
    (tmp_path / "out" / "index.html").write_text(site_page(tmp_path / "out"), encoding="utf-8")
    for page in (folder / "index.html", tmp_path / "out" / "index.html"):
        w = open_page(browser, page)
        assert w.problems() == []
        counted = "document.querySelectorAll('script, img, svg, [onerror], [onload]').length"
        assert w.page.evaluate(counted) == 0
        assert HOSTILE in w.page.locator("main").inner_text()
        w.page.context.close()


def test_a_daily_run_writes_a_site_a_reader_can_browse(browser: Browser, day: Day) -> None:
    result = run(day.config(formats='["md", "html"]'), model())
    assert result.status == "done", result.message
    w = open_page(browser, day.out / "index.html")
    page = w.page
    assert page.locator("h1").inner_text() == "Daily briefings"
    page.get_by_role("link", name=DAY, exact=True).click()
    assert page.url == (day.out / DAY / "index.html").as_uri()
    stories = page.locator("ul.stories > li > a")
    assert stories.count() == 2
    titles = {s.title for s in result.stories}
    for i in range(2):
        title = stories.nth(i).inner_text()
        assert title in titles
        stories.nth(i).click()
        assert page.url.endswith(".html") and page.locator("h1").inner_text() == title
        assert page.locator("a.cite").count() > 0
        page.get_by_role("link", name=f"← All stories of {DAY}").click()
        assert page.url == (day.out / DAY / "index.html").as_uri()
    page.get_by_role("link", name="← All days").click()
    assert page.url == (day.out / "index.html").as_uri()
    assert w.problems() == []
    page.context.close()


def test_a_feed_of_hostile_titles_runs_nothing_on_the_site(browser: Browser, day: Day) -> None:
    """A feed whose name, entry title and page carry markup, through a real daily run."""
    result = run(day.config(formats='["html"]', feeds=("hostile-wire.xml",)), model(HOSTILE_RUN))
    assert result.status == "done", result.message
    (story,) = [s for s in result.stories if any("hostile-bridge" in a for a in s.articles)]
    pages = [day.out / "index.html", day.out / DAY / "index.html", day.out / DAY / story.files[0]]
    for path in pages:
        w = open_page(browser, path)
        assert w.problems() == []
        counted = "document.querySelectorAll('script, img, svg, [onerror], [onload]').length"
        assert w.page.evaluate(counted) == 0
        w.page.context.close()
    page = (day.out / DAY / story.files[0]).read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_users_home_page_stays_theirs_beside_briefers_day_pages(
    browser: Browser, day: Day
) -> None:
    """A run with "html" leaves the user's OUTPUT/index.html as it was (issue 21)."""
    day.out.mkdir()
    (day.out / "index.html").write_text(MY_PAGE)
    result = run(day.config(formats='["md", "html"]'), model())
    assert str(day.out / "index.html") in result.left_alone
    w = open_page(browser, day.out / "index.html")
    assert w.page.locator("h1").inner_text() == "My own home page"
    assert w.problems() == []
    w.page.context.close()
    w = open_page(browser, day.out / DAY / "index.html")
    assert w.page.locator("ul.stories > li > a").count() == 2
    assert w.problems() == []
    w.page.context.close()


def test_a_story_titled_index_has_a_page_of_its_own(browser: Browser, tmp_path: Path) -> None:
    """Two outlets titled it "Index": the day's page and the story's page are two pages."""
    result = run(index_story(tmp_path), model(INDEX_RUN))
    (story,) = result.stories
    folder = tmp_path / "out" / DAY
    w = open_page(browser, folder / "index.html")
    day_heading = w.page.locator("h1").inner_text()
    w.page.locator("ul.stories > li > a").first.click()
    assert w.page.url == (folder / "index-story.html").as_uri()
    assert w.page.locator("h1").inner_text() == story.title != day_heading
    w.page.get_by_role("link", name=f"← All stories of {DAY}").click()
    assert w.page.url == (folder / "index.html").as_uri()
    assert w.page.locator("h1").inner_text() == day_heading
    assert w.problems() == []
    w.page.context.close()


def test_a_day_page_the_user_edited_outlives_retention(browser: Browser, day: Day) -> None:
    """The edited page still names briefer as its generator; retention keeps it all the same."""
    cfg = day.config(formats='["md", "html"]')
    assert run(cfg, model()).status == "done"
    page = day.out / DAY / "index.html"
    edited(page)
    assert run(cfg, FakeEndpoint(), now=NOW + timedelta(days=5)).pruned == []
    w = open_page(browser, page)
    assert "My notes: call Bob." in w.page.locator("body").inner_text()
    assert w.problems() == []
    w.page.context.close()


RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: reverses what follows it until its paragraph ends
NEXT = "Zenith"  # the outlet named after one whose name carries the override

# The left edge of each letter of every visible occurrence of `name`, in reading order.
LETTER_EDGES = """(name) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (let at = n.textContent.indexOf(name); at >= 0; at = n.textContent.indexOf(name, at + 1)) {
      const edges = [];
      for (let i = at; i < at + name.length; i++) {
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + 1);
        const box = r.getBoundingClientRect();
        if (box.width) edges.push(box.left);
      }
      if (edges.length) out.push({ text: n.parentElement.outerHTML.slice(0, 80), edges });
    }
  }
  return out;
}"""


def assert_read_left_to_right(w: Watched, least: int) -> None:
    """Every visible occurrence of NEXT is drawn left to right, letter after letter."""
    found = w.page.evaluate(LETTER_EDGES, NEXT)
    assert len(found) >= least, found
    for occurrence in found:
        edges = occurrence["edges"]
        assert len(edges) == len(NEXT) and edges == sorted(edges), occurrence


def test_an_outlet_name_with_a_bidi_override_does_not_reverse_the_next_one(
    browser: Browser, seeds_briefing: Briefing, tmp_path: Path
) -> None:
    first, second = (s.outlet for s in seeds_briefing.sources[:2])
    data = seeds_briefing.model_dump_json()
    data = data.replace(f'"{first}"', f'"Evil{RLO}News"').replace(f'"{second}"', f'"{NEXT}"')
    path = tmp_path / "bidi.html"
    path.write_text(to_html(Briefing.model_validate_json(data)), encoding="utf-8")
    w = open_page(browser, path)
    # The header's list of outlets, the coverage key, the card and the article's heading.
    assert_read_left_to_right(w, least=4)
    assert w.problems() == []
    w.page.context.close()


def test_a_day_page_with_a_bidi_override_in_an_outlet_keeps_the_next_one_readable(
    browser: Browser, tmp_path: Path
) -> None:
    folder = tmp_path / "out" / "2026-03-10"
    result = hostile_day(folder)
    evil = f"Evil{RLO}News"
    result.stories[0].outlets = [evil, NEXT]
    result.singles = [ArticleRef(title=f"Title{RLO}", outlet=evil, path=f"a{RLO}.html")] * 2
    result.singles[1] = ArticleRef(title=NEXT, outlet=NEXT, path=NEXT)
    result.skipped = [Skipped(path=f"feed{RLO}", reason=NEXT)]
    (folder / "index.html").write_text(day_page(result, 24), encoding="utf-8")
    w = open_page(browser, folder / "index.html")
    # The story's outlets, the single article's title, outlet and path, the skipped reason.
    assert_read_left_to_right(w, least=5)
    w.page.context.close()
