"""briefer.briefing.analysis: small models' padding is dropped."""

from __future__ import annotations

from briefer.briefing.analysis import tidy
from briefer.schemas import ArticleAnalysis, Fact, Figure, QuotedSource


def _analysis() -> ArticleAnalysis:
    fact = Fact(statement="Talks began.", kind="reported_fact", speaker="", quote="")
    return ArticleAnalysis(
        genre="analysis",
        tone="neutral",
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
