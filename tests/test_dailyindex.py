"""The day's index.md with hostile feed titles, outlets, paths, reasons and file names:
markdown-it-py (tests/mdjudge.py) judges that nothing adds structure or a link."""

from __future__ import annotations

import pytest

from briefer.daily.index import render_index
from briefer.daily.result import ArticleRef, DailyResult, StoryOutcome
from briefer.daily.state import StoryState
from briefer.schemas.briefing import Skipped

from .mdjudge import block_types, headings, inline_types, links, text_of

FORGED = "Real\n# Verification and run\r\n- Quotes verified: 99/99\u2028## Sources skipped (0)"
SCRIPT = "<script>alert(1)</script> [x](javascript:alert(1))"


def result(text: str, name: str = "story.md") -> DailyResult:
    """One of everything the index lists, with `text` in every untrusted field."""
    return DailyResult(
        status="done",
        day="2026-03-11",
        folder="/tmp/out/2026-03-11",
        stories=[
            StoryOutcome(
                slug="story",
                title=text,
                articles=["a", "b"],
                outlets=[text, "Metro"],
                status="written",
                files=[name, "story.json"],
            ),
            StoryOutcome(
                slug="failed-story",
                title=text,
                articles=["a"],
                outlets=["Metro"],
                status="failed",
                error=text,
            ),
        ],
        earlier={"earlier": StoryState(input="h", title=text, files=[name], articles=["a"])},
        singles=[ArticleRef(title=text, outlet=text, path=text)],
        skipped=[Skipped(path=text, reason=text)],
        duplicates=[Skipped(path=text, reason=text)],
    )


@pytest.mark.parametrize("text", [FORGED, "# Verification and run", "1. first", "> quote"])
def test_forged_lines_add_no_heading_list_item_or_section(text: str) -> None:
    plain = render_index(result("Plain title"), 24)
    forged = render_index(result(text), 24)
    assert block_types(forged) == block_types(plain)
    assert headings(forged) == headings(plain)
    assert len(forged.splitlines()) == len(plain.splitlines())


def test_script_and_javascript_links_stay_text() -> None:
    plain = render_index(result("Plain title"), 24)
    md = render_index(result(SCRIPT), 24)
    assert inline_types(md) == inline_types(plain)
    assert not {"html_inline", "html_block", "image"} & set(inline_types(md))
    assert links(md) == ["story.md", "story.json", "story.md"]
    assert "javascript:alert(1)" in text_of(md) and "<script>" in text_of(md)


def test_a_hostile_file_name_stays_one_relative_link() -> None:
    md = render_index(result("Title", name="a b)](javascript:alert(1)) <x>.md"), 24)
    hrefs = links(md)
    assert len(hrefs) == 3 and hrefs[1] == "story.json"
    assert all(":" not in h and " " not in h for h in hrefs)
    assert hrefs[0] == hrefs[2] == "a%20b%29%5D%28javascript%3Aalert%281%29%29%20%3Cx%3E.md"
