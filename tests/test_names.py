"""briefer.ingest.names: headlines from a text's first lines, short labels, names versus ids."""

from __future__ import annotations

import pytest

from briefer.ingest.names import first_sentence, headline, is_name, shorten

GRAIN = "Ministers Agree on Grain Corridor Deal"
FLOODS = "Floods close schools across three provinces"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # A site name glued to the headline: the tail is the title.
        ("Daily Wire.Ministers Agree on Grain Corridor Deal\nBody.", GRAIN),
        # Periods that are not joins: initials, decimals, abbreviations, domains.
        ("U.S.President Trump meets Xi in Busan", "U.S.President Trump meets Xi in Busan"),
        ("Rates rise 3.5% as e.g.Banks wait", "Rates rise 3.5% as e.g.Banks wait"),
        ("Mr.Smith goes to Washington again", "Mr.Smith goes to Washington again"),
        ("Readers of news.com Vote on Budget", "Readers of news.com Vote on Budget"),
        # A glued tail too short to be a headline stays with its head, spaced.
        ("Harbour Times.Opinion", "Harbour Times. Opinion"),
        # Section labels above a headline are skipped, up to the headline.
        ("World\n\nAsia\n\n" + FLOODS + "\nBody.", FLOODS),
        # A short title above a body sentence is the title.
        ("Bridge reopens\n\nThe bridge reopened on Tuesday after repairs.", "Bridge reopens"),
        # Markdown heading and bold markers are not part of the title.
        ("# Port strike ends after two weeks\n\nText.", "Port strike ends after two weeks"),
        ("**Port strike ends after two weeks**\n\nText.", "Port strike ends after two weeks"),
        ("", ""),
    ],
)
def test_headline(text: str, title: str) -> None:
    assert headline(text) == title


def test_a_paragraph_gives_its_first_sentence_shortened() -> None:
    paragraph = (
        "Dock workers at the U.S. port of Baltimore returned on Monday after a strike that "
        "halted most container traffic for two weeks. Talks resume on Friday. " * 3
    )
    title = headline(paragraph + "\n\nSecond paragraph.")
    assert title == "Dock workers at the U.S. port of Baltimore returned on Monday after…"
    assert first_sentence(paragraph).endswith("for two weeks.")
    # A short first sentence is the whole title, without its full stop.
    short = "Talks stalled again. " + paragraph
    assert headline(short) == "Talks stalled again"


def test_first_sentence_skips_initials_and_titles() -> None:
    text = "Mr. Li met U.S. envoys in Hangzhou on Monday. Nothing was signed."
    assert first_sentence(text) == "Mr. Li met U.S. envoys in Hangzhou on Monday."
    assert first_sentence("No sentence end here") == "No sentence end here"


def test_shorten_cuts_on_words_and_drops_weak_endings() -> None:
    assert shorten("Port strike ends") == "Port strike ends"
    # Six words at most, no dangling 'with' or comma before the ellipsis.
    assert shorten("Russia looks to cosy up with China after talks") == "Russia looks to cosy up…"
    assert shorten("Ministers, in Hangzhou, agreed, on Monday, to more") == (
        "Ministers, in Hangzhou, agreed…"
    )
    # Forty characters at most (plus the ellipsis), on a word boundary.
    cut = shorten("Comprehensive Overview: China-Russia Summit and Deepening Strategic Ties")
    assert cut == "Comprehensive Overview: China-Russia…"
    assert len(shorten("x" * 100)) == 40 and shorten("x" * 100).endswith("…")
    assert shorten("one two\nthree") == "one two three"


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("reuters", True),
        ("herald-bridge", True),
        ("The Guardian", True),
        ("financial_times", True),
        ("000_37727bd3f3f41417", False),
        ("deadbeefcafe", False),
        ("bbc2", False),
        ("article.v2", False),
        ("", False),
    ],
)
def test_is_name(stem: str, name: bool) -> None:
    assert is_name(stem) is name
