"""briefer.briefing.loaded: loaded wording is shown only when it stands in the article and its
neutral rewording really says it differently."""

from __future__ import annotations

import pytest

from briefer.briefing.loaded import loaded_in_text, really_differs
from briefer.schemas import LoadedPhrase


@pytest.mark.parametrize(
    ("quote", "neutral"),
    [
        ("Challenges", "Challenges"),
        ("Challenges", "challenges"),
        ("the challenges", "challenges"),
        ("a reliable duo", "the reliable duo"),
        ("Western sanctions", "western sanctions."),
        ("talks", "talking"),  # the same word inflected
        ("", "sanctions"),
        ("illegal sanctions", ""),
        ("the", "a"),  # no content word either side
    ],
)
def test_a_rewording_that_changes_only_case_articles_or_inflection_does_not_differ(
    quote: str, neutral: str
) -> None:
    assert not really_differs(quote, neutral)


@pytest.mark.parametrize(
    ("quote", "neutral"),
    [
        ("illegal Western sanctions", "Western sanctions"),
        ("regime", "government"),
        ("a fleet of Russian jets", "a Russian delegation"),
        ("crushing sanctions", "sanctions"),
    ],
)
def test_a_rewording_that_changes_the_words_differs(quote: str, neutral: str) -> None:
    assert really_differs(quote, neutral)


TEXT = "Moscow faces illegal Western sanctions and new Challenges in trade, the minister said."


def test_only_phrases_in_the_article_that_really_differ_are_shown() -> None:
    phrases = [
        LoadedPhrase(quote="illegal Western sanctions", neutral="Western sanctions"),
        LoadedPhrase(quote="Challenges", neutral="Challenges"),
        LoadedPhrase(quote="crushing sanctions", neutral="sanctions"),  # not in the article
        LoadedPhrase(quote="ILLEGAL  western sanctions", neutral="sanctions"),  # case, spacing
    ]
    shown = loaded_in_text(phrases, TEXT)
    assert [p.quote for p in shown] == ["illegal Western sanctions", "ILLEGAL  western sanctions"]
