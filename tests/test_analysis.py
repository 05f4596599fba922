"""briefer.story.analysis: small models' padding is dropped."""

from __future__ import annotations

from briefer.schemas.replies import ArticleAnalysis, Fact, LoadedPhrase
from briefer.story.analysis import tidy


def _analysis() -> ArticleAnalysis:
    fact = Fact(quote="Talks began in Hangzhou", kind="reported_fact")
    return ArticleAnalysis(
        genre="analysis",
        tone="neutral",
        facts=[
            fact,
            fact.model_copy(update={"quote": "talks  began in Hangzhou"}),
            Fact(quote="Li said the talks went well", kind="attributed_statement"),
            Fact(quote="This will reshape the world", kind="opinion"),
        ],
        loaded_wording=[
            LoadedPhrase(quote="Illegal sanctions", neutral="sanctions"),
            LoadedPhrase(quote="illegal  sanctions", neutral="the sanctions"),
        ],
    )


def test_tidy_drops_repeats() -> None:
    a = tidy(_analysis())
    assert [f.quote for f in a.facts] == [
        "Talks began in Hangzhou",
        "Li said the talks went well",
        "This will reshape the world",
    ]
    assert [w.quote for w in a.loaded_wording] == ["Illegal sanctions"]
