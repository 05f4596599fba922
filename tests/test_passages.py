"""Locating a briefing's passages in an article and cutting the text into marked pieces."""

from __future__ import annotations

from briefer.render.passages import Piece, anchors, locate

TEXT = (
    "Li Qiang met Mikhail Mishustin in Hangzhou.\n\n"
    "Trade “topped $250 billion” last quarter, the ministry said. Critics called it a "
    "“sham partnership” of convenience."
)


def marked(pieces: list[Piece]) -> str:
    """The pieces as text with [id ... ] around each mark (the test's own rendering)."""
    out = []
    for p in pieces:
        out.append(p.value if p.kind == "text" else f"[{p.value} " if p.kind == "open" else "]")
    return "".join(out)


def test_a_passage_is_found_word_for_word_whatever_its_quotes_case_and_line_breaks() -> None:
    # Straight quotes and a different case for curly quotes in the text.
    span = locate('trade "topped $250 billion" last quarter, the ministry said.', TEXT)
    assert span is not None
    assert TEXT[span[0] : span[1]] == (
        "Trade “topped $250 billion” last quarter, the ministry said."
    )
    # Across the paragraph break.
    span = locate("in Hangzhou. Trade", TEXT)
    assert span is not None and TEXT[span[0] : span[1]] == "in Hangzhou.\n\nTrade"


def test_a_passage_cut_with_an_ellipsis_is_found_by_its_first_piece() -> None:
    span = locate("Critics called it a … of convenience", TEXT)
    assert span is not None and TEXT[span[0] : span[1]] == "Critics called it a"


def test_what_the_text_does_not_say_is_not_located() -> None:
    assert locate("Trade topped $240 billion", TEXT) is None
    assert locate("", TEXT) is None
    assert locate("…", TEXT) is None


def test_the_pieces_put_back_together_are_the_text_with_nested_marks() -> None:
    sentence = "Critics called it a “sham partnership” of convenience."
    pieces, ids = anchors(TEXT, [sentence, "sham partnership", "not in the text"], "a1")
    assert "".join(p.value for p in pieces if p.kind == "text") == TEXT
    assert ids == {sentence: "a1-1", "sham partnership": "a1-2"}
    assert marked(pieces).endswith(
        "[a1-1 Critics called it a “[a1-2 sham partnership]” of convenience.]"
    )


def test_a_passage_crossing_another_ones_edge_links_to_the_mark_holding_its_start() -> None:
    first = "met Mikhail Mishustin in Hangzhou."
    crossing = "Mishustin in Hangzhou. Trade"
    pieces, ids = anchors(TEXT, [first, crossing], "a2")
    assert ids == {first: "a2-1", crossing: "a2-1"}
    assert [p.kind for p in pieces].count("open") == 1


def test_the_same_passage_twice_is_one_mark() -> None:
    pieces, ids = anchors(TEXT, ["in Hangzhou", "in Hangzhou", "IN HANGZHOU"], "a3")
    assert set(ids.values()) == {"a3-1"}
    assert [p.kind for p in pieces].count("open") == 1


def test_marks_that_touch_close_before_the_next_opens() -> None:
    pieces, _ = anchors("One two. Three four.", ["One two.", "Three four."], "a4")
    assert marked(pieces) == "[a4-1 One two.] [a4-2 Three four.]"


def test_a_sentence_glued_to_a_heading_by_scraping_is_found_as_it_is() -> None:
    text = "Russia-China TiesThe 30th regular meeting was held. It ended."
    span = locate("The 30th regular meeting was held.", text)
    assert span is not None and text[span[0] : span[1]] == "The 30th regular meeting was held."


def test_a_word_is_not_found_inside_a_longer_word() -> None:
    text = "The regimes fell. The regime fell."
    span = locate("regime", text)
    assert span is not None and span[0] == text.index("regime fell")


def test_a_passage_opening_with_an_ellipsis_is_found_by_its_words() -> None:
    span = locate("… called it a “sham partnership”", TEXT)
    assert span is not None and TEXT[span[0] : span[1]] == "called it a “sham partnership”"


def test_a_per_cent_sign_after_the_last_word_belongs_to_the_passage() -> None:
    text = "Imports from China rose 30%, officials said."
    span = locate("imports  from China rose 30%", text)
    assert span is not None and text[span[0] : span[1]] == "Imports from China rose 30%"


def test_a_run_of_words_is_found_in_a_text_of_repetitions() -> None:
    text = "deal " * 20_000 + "deal signed today."
    span = locate("DEAL deal signed", text)
    assert span is not None and text[span[0] : span[1]] == "deal deal signed"
