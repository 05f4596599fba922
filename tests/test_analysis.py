"""briefer.briefing.analysis: small models' padding is dropped; opinions never feed the summary."""

from __future__ import annotations

from briefer.briefing.analysis import Prepared, render_analysis, tidy
from briefer.ingest.files import Article
from briefer.schemas import ArticleAnalysis, Fact, Figure, QuotedSource


def _analysis() -> ArticleAnalysis:
    fact = Fact(statement="Talks began.", kind="reported_fact", speaker="", quote="")
    return ArticleAnalysis(
        summary="s",
        genre="analysis",
        tone="neutral",
        framing="f",
        emphasis=["Trade", "trade ", "energy"],
        facts=[
            fact,
            fact.model_copy(update={"statement": "talks  began."}),
            Fact(statement="Li spoke.", kind="attributed_statement", speaker="Li", quote="q"),
            Fact(statement="This will reshape the world.", kind="opinion", speaker="", quote=""),
        ],
        figures=[
            Figure(what="money", value="", quote="x"),
            Figure(what="trade", value="$240 billion", quote="a"),
            Figure(what="Trade", value="$240 billion", quote="b"),
        ],
        quoted_sources=[QuotedSource(who="Li", quote="q"), QuotedSource(who="Li", quote="Q")],
        loaded_wording=[],
    )


def test_tidy_drops_repeats_and_figures_without_a_number() -> None:
    a = tidy(_analysis())
    assert a.emphasis == ["Trade", "energy"]
    assert [f.statement for f in a.facts] == [
        "Talks began.",
        "Li spoke.",
        "This will reshape the world.",
    ]
    assert [g.quote for g in a.figures] == ["a"]
    assert len(a.quoted_sources) == 1


def test_the_synthesis_input_leaves_opinions_out_and_says_so() -> None:
    art = Article(id="i", path="p", title="t", outlet="Blog", outlet_source="file", text="x")
    p = Prepared(article=art, label="A1", text="x", tokens_before=1, tokens_after=1, removed=[])
    text = render_analysis(p, tidy(_analysis()), first_person=True)
    assert "reshape the world" not in text
    assert "(1 opinion claims left out)" in text
    assert "[attributed_statement (Li)] Li spoke." in text
    assert "voice: first-person opinion" in text.splitlines()[0]


def test_a_sentence_cut_at_its_schema_bound_is_marked() -> None:
    from briefer.briefing.pipeline import mark_cut

    cut = "x" * 318 + " focusing on the challenges and options for"
    assert mark_cut(cut, 320).endswith("options for …")
    assert mark_cut("A whole sentence.", 320) == "A whole sentence."
    assert mark_cut("y" * 330 + ".", 320).endswith(".")
