"""briefer.text.sentences: sentence spans that abbreviations and quotations do not cut."""

from __future__ import annotations

import pytest

from briefer.text.sentences import content_words, sentence_spans, sentences

from .runaway import finishes


def test_abbreviations_and_initials_do_not_end_a_sentence() -> None:
    text = (
        "Ties with the U.S. matter to Mr. Li, who met Donald J. Trump on Nov. 3 in St. Petersburg. "
        "He left at 5 p.m. on Monday! Did he? Yes… Then (quietly) he flew home."
    )
    assert sentences(text) == [
        "Ties with the U.S. matter to Mr. Li, who met Donald J. Trump on Nov. 3 in St. Petersburg.",
        "He left at 5 p.m. on Monday!",
        "Did he?",
        "Yes…",
        "Then (quietly) he flew home.",
    ]


def test_a_lowercase_continuation_and_a_decimal_are_not_boundaries() -> None:
    assert sentences("Trade rose 3.8% in September. the rest… and more. Fine.") == [
        "Trade rose 3.8% in September. the rest… and more.",
        "Fine.",
    ]


def test_lines_closing_quotes_and_glued_headings_end_sentences() -> None:
    text = "A heading\n“We are ready.” Li left.  \nOverview of the talks.Summit Structure follows."
    assert sentences(text) == [
        "A heading",
        "“We are ready.”",
        "Li left.",
        "Overview of the talks.",
        "Summit Structure follows.",
    ]


def test_protected_spans_are_never_cut() -> None:
    text = "“We are ready. We will act,” he said. Li agreed."
    quote = (0, text.index("”") + 1)
    spans = sentence_spans(text, [quote])
    assert [text[a:b] for a, b in spans] == ["“We are ready. We will act,” he said.", "Li agreed."]
    assert len(sentence_spans(text)) == 3


HOSTILE = [". " * 100_000, "." * 200_000, "!." * 100_000 + " A", " " * 200_000]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_does_not_hang(text: str) -> None:
    with finishes():  # backtracking would take minutes
        sentence_spans(text)


def test_contractions_are_function_words_not_content() -> None:
    words = content_words("The encounter wasn’t chit-chat, and they're sure it didn't matter.")
    assert words == content_words("The encounter chit-chat, and sure it matter.")
    assert not any("'" in w for w in words)


def test_a_heading_glued_to_its_first_sentence_is_cut_off_but_names_are_not() -> None:
    text = (
        "Comprehensive Overview: China-Russia Summit and Deepening Strategic TiesThe 30th "
        "regular meeting took place in Hangzhou. McConnell and DeSantis watched it on YouTube."
    )
    assert sentences(text) == [
        "Comprehensive Overview: China-Russia Summit and Deepening Strategic Ties",
        "The 30th regular meeting took place in Hangzhou.",
        "McConnell and DeSantis watched it on YouTube.",
    ]
