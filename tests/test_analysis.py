"""briefer.briefing.analysis: small models' padding is dropped."""

from __future__ import annotations

from briefer.briefing.analysis import tidy
from briefer.schemas import ArticleAnalysis, Fact, LoadedPhrase


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
        loaded_wording=[
            LoadedPhrase(quote="Illegal sanctions", neutral="sanctions"),
            LoadedPhrase(quote="illegal  sanctions", neutral="the sanctions"),
        ],
    )


def test_tidy_drops_repeats() -> None:
    a = tidy(_analysis())
    assert a.emphasis == ["Trade", "energy"]
    assert [f.statement for f in a.facts] == [
        "Talks began.",
        "Li spoke.",
        "This will reshape the world.",
    ]
    assert [w.quote for w in a.loaded_wording] == ["Illegal sanctions"]
