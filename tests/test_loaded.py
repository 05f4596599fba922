"""briefer.story.loaded: loaded wording only where the neutral rewording says it differently."""

from __future__ import annotations

import pytest

from briefer.schemas.replies import LoadedPhrase
from briefer.story.loaded import loaded_in_text, really_differs

from .conftest import SEEDS


@pytest.mark.parametrize(
    ("quote", "neutral"),
    [
        ("Challenges", "Challenges"),  # the seeds' briefing showed exactly this
        ("Challenges", "challenges."),
        ("the sanctions", "sanctions"),
        ("an axis", "the axis"),
        ("Russia's lifeline", "Russia’s lifelines"),
        ("Russia's lifeline", "Russia lifeline"),
        ("fake news", "“Fake” news!"),
        ("screamed seriousness", ""),
        ("", "a neutral phrase"),
        ("the", "a"),
    ],
)
def test_same_content_words_or_an_empty_side_do_not_differ(quote: str, neutral: str) -> None:
    assert not really_differs(quote, neutral)


@pytest.mark.parametrize(
    ("quote", "neutral"),
    [
        ("screamed seriousness", "signalled seriousness"),
        ("illegal Western sanctions", "Western sanctions"),
        ("Russia's lifeline", "Russia's main trading partner"),
        ("a full-blown axis", "a close partnership"),
    ],
)
def test_a_changed_content_word_differs(quote: str, neutral: str) -> None:
    assert really_differs(quote, neutral)


def _blog() -> str:
    (path,) = SEEDS.glob("000_*.txt")
    return path.read_text("utf-8")


def test_only_phrases_in_the_text_that_really_differ_are_kept() -> None:
    kept = LoadedPhrase(quote="this delegation screamed seriousness", neutral="a senior team")
    dashes = LoadedPhrase(quote="Russia’s swift diplomatic counterpunch", neutral="Russia's reply")
    same = LoadedPhrase(quote="Challenges", neutral="Challenges")  # in the text, says nothing
    absent = LoadedPhrase(quote="a craven betrayal", neutral="a change of policy")
    again = LoadedPhrase(quote="This delegation SCREAMED seriousness", neutral="a serious team")
    result = loaded_in_text([kept, same, absent, dashes, again], _blog())
    assert result == [kept, dashes]


def test_nothing_in_nothing_out() -> None:
    assert loaded_in_text([], _blog()) == []
    assert loaded_in_text([LoadedPhrase(quote="screamed", neutral="said")], "") == []
