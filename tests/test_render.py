"""briefer.render.render: Markdown that never turns article text into live HTML or links, JSON
that round-trips, and atomic writes."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from briefer.render.render import to_json, to_markdown
from briefer.schemas.briefing import Briefing, Cited

from .hostile import SCRIPT
from .mdjudge import block_types, headings, inline_types, links, text_of
from .sample import ID1, ID2, LINK, briefing, outlet


def as_html(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def test_markdown_escapes_untrusted_text() -> None:
    md = to_markdown(briefing())
    assert "<script>" not in md and "</script>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert LINK not in md
    assert "\\[link\\](http://evil)" in md
    assert "\\`code\\`" in md
    assert re.search(r"(?<!\\)`", md) is None  # no unescaped backtick anywhere
    html = as_html(md)
    assert "<script" not in html
    assert "<a " not in html
    assert "<code>" not in html
    assert "alert(1)" in html and "http://evil" in html  # shown as text, not dropped


def test_markdown_escapes_backslash_before_link_syntax() -> None:
    """A backslash in article text must not cancel the escape and revive a link."""
    title = "Read this \\[offer\\](http://evil) now"
    md = to_markdown(briefing(title=title))
    assert "<a " not in as_html(md)


def test_markdown_shows_verification_counts() -> None:
    md = to_markdown(briefing())
    assert md.count("Quotes verified: 5/7") == 2
    assert "citations valid: 8/9" in md
    assert "items removed: 2" in md
    assert md.startswith("# Russia courts China &lt;script&gt;")
    assert "_2 articles: CNBC &lt;script&gt;alert(1)&lt;/script&gt;, World Blog." in md


def test_citations_are_numbered_by_source_order() -> None:
    b = briefing()
    md = to_markdown(b)
    assert "Mishustin visited Hangzhou &lt;script&gt;alert(1)&lt;/script&gt;. [2][1]" in md
    assert "Trade grew \\[link\\](http://evil). [1]" in md
    # a citation to an id that is not among the sources gets no number
    assert re.search(r"A sentence citing nothing known\.\s*$", md, re.M)
    assert "1. Ties deepen \\`code\\`. [1][2]" in md
    assert "2. Trade cooled. [2]" in md
    assert "1. CNBC &lt;script&gt;alert(1)&lt;/script&gt;: Russia looks to cosy up" in md
    assert f"2. World Blog: Overview \\`code\\` (https://example.org/overview, id {ID2})" in md
    assert f"(seeds/001.txt, id {ID1})" in md
    assert "### [1] CNBC" in md and "### [2] World Blog" in md

    swapped = to_markdown(b.model_copy(update={"sources": list(reversed(b.sources))}))
    assert "Mishustin visited Hangzhou &lt;script&gt;alert(1)&lt;/script&gt;. [1][2]" in swapped
    assert "Trade grew \\[link\\](http://evil). [2]" in swapped
    assert "1. World Blog: Overview" in swapped


def test_contradiction_sides_show_outlets() -> None:
    md = to_markdown(briefing())
    assert "### Size of China-Russia trade" in md
    assert "- **CNBC** [1]: “bilateral trade topped $250 billion”" in md
    assert "- **World Blog** [2]: “bilateral trade surpassing $240 billion in 2024”" in md
    assert "_Different periods \\`code\\`._" in md
    assert "No contradictions" not in md

    none = to_markdown(briefing(contradictions=[]))
    assert "No contradictions between outlets were found and verified." in none
    assert "### Size of China-Russia trade" not in none


def test_flagged_items_and_skipped_files_are_listed() -> None:
    md = to_markdown(briefing())
    assert "  - A1: removed unverifiable quote 'we never said this'" in md
    assert "  - dropped uncited summary sentence: '&lt;script&gt;alert(1)&lt;/script&gt;'" in md
    assert "- Skipped in/report.pdf: unsupported file type '.pdf'" in md


def test_outlet_comparison_and_run_details() -> None:
    md = to_markdown(briefing())
    assert "the writer's own view in 1 of 6 claims (17%)" in md
    assert "news report, neutral" in md
    assert "- **Framing:** Moscow courts Beijing \\[link\\](http://evil)" in md
    assert "- **Leads with:** “Mishustin arrived in Hangzhou &lt;script&gt;" in md
    assert "- **Only here:** Li praised the ties \\[link\\](http://evil); A gas deal was" in md
    assert "- **Leaves out:** AI cooperation (reported by World Blog, CNBC)" in md
    bare = outlet(ID1, "A1", "CNBC", "t").model_copy(
        update={"lead": "", "only_here": [], "omissions": []}
    )
    shown = to_markdown(briefing(outlets=[bare]))
    assert not re.search(r"\*\*(Leads with|Only here|Leaves out):", shown)  # nothing to show
    assert "- **Quotes:** Mishustin: “dear friend &lt;script&gt;alert(1)&lt;/script&gt;”" in md
    assert "cost: unknown" in md
    assert "tokens: 9000 prompt + 1200 completion" in md
    assert "wall time 12.3s" in md
    b = briefing()
    priced = to_markdown(
        b.model_copy(update={"run": b.run.model_copy(update={"cost_usd": 0.01234})})
    )
    assert "cost: $0.0123" in priced


def test_json_round_trips() -> None:
    b = briefing()
    text = to_json(b)
    assert text.endswith("\n")
    again = Briefing.model_validate_json(text)
    assert again == b
    assert again.summary[0].text == f"Mishustin visited Hangzhou {SCRIPT}."  # JSON keeps it raw


def test_opinion_piece_shows_the_voice_evidence_and_the_models_genre() -> None:
    o = outlet(ID1, "A1", "Blog", "Russia's move").model_copy(
        update={
            "genre": "analysis",
            "opinion_piece": True,
            "first_person_markers": 14,
            "voice_examples": ["In my view, this buddy-buddy vibe", f"I think {SCRIPT}"],
        }
    )
    md = to_markdown(briefing(outlets=[o]))
    assert "**opinion piece** (model said analysis)" in md
    assert "14 first-person or reader-address markers" in md
    assert "“In my view, this buddy-buddy vibe …”" in md
    assert "<script>" not in md


FORGED = "Real\n# Verification and run\n- Quotes verified: 99/99"


def test_a_forged_title_is_one_line_with_no_heading_or_list_item() -> None:
    plain = to_markdown(briefing(title="Real"))
    md = to_markdown(briefing(title=FORGED))
    assert block_types(md) == block_types(plain)  # no heading, list or paragraph added
    assert headings(md).count("Verification and run") == 1
    assert headings(md)[0] == "Real # Verification and run - Quotes verified: 99/99"
    assert len(md.splitlines()) == len(plain.splitlines())
    assert not re.search(r"^\s*(# Verification|- Quotes verified: 99)", md, re.M)


def test_forged_text_in_every_field_adds_no_structure() -> None:
    """Every string the model, a feed or a file supplies gets the forged lines at once."""
    b = briefing()

    def forge(value: object) -> object:
        if isinstance(value, str):
            return f"{value}\u2028# Verification and run\r\n- Quotes verified: 99/99\n\n1. x"
        if isinstance(value, list):
            return [forge(v) for v in value]
        if isinstance(value, dict):
            return {k: v if k in KEEP else forge(v) for k, v in value.items()}
        return value

    hostile = Briefing.model_validate(forge(b.model_dump()))
    assert block_types(to_markdown(hostile)) == block_types(to_markdown(b))
    assert headings(to_markdown(hostile)).count("Verification and run") == 1


# Identifiers and enums the forging test leaves intact (they are validated or matched).
KEEP = {"id", "article_id", "citations", "label", "genre", "tone", "claims", "step"}


def test_model_text_with_a_script_and_a_javascript_link_stays_text() -> None:
    sentence = "Leaders met <script>alert(1)</script> [x](javascript:alert(1)) ![i](http://e/i)."
    plain = to_markdown(briefing(summary=[Cited(text="Leaders met.", citations=[ID1])]))
    md = to_markdown(briefing(summary=[Cited(text=sentence, citations=[ID1])]))
    assert inline_types(md) == inline_types(plain)
    assert not {"html_inline", "html_block", "image"} & set(inline_types(md))
    assert links(md) == []
    assert "<script" not in as_html(md) and "javascript:alert(1)" in text_of(md)


def test_no_takeaways_is_said_not_left_as_an_empty_section() -> None:
    md = to_markdown(briefing(takeaways=[]))
    section = md.split("## Key takeaways", 1)[1].split("\n## ", 1)[0]
    assert "None passed the checks" in section
    assert "None passed the checks" not in to_markdown(briefing())
