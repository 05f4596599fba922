"""briefer.text.voice: the writer's own voice as checkable evidence of an opinion piece."""

from __future__ import annotations

from briefer.text.voice import voice

from .conftest import SEEDS


def test_the_long_first_person_blog_is_marked_and_the_news_reports_are_not() -> None:
    by_seed = {p.name[:3]: voice(p.read_text("utf-8")) for p in sorted(SEEDS.glob("*.txt"))}
    blog = by_seed["000"]
    assert blog.first_person and blog.markers >= 10
    assert "Picture this: a crisp autumn morning" in blog.examples
    assert all(not v.first_person for k, v in by_seed.items() if k != "000")


def test_quoted_speech_and_roman_numerals_are_not_the_writer_speaking() -> None:
    quoted = 'The minister said: "I think we will win, my friends, I believe it." ' * 3
    assert voice(quoted).markers == 0
    assert voice("World War I ended. Phase I began. Section I. covers it.").markers == 0
    own = "In my view the talks matter. I think the deal will hold. Let's see. I believe it."
    v = voice(own)
    assert v.markers == 4 and v.first_person


def test_a_short_excerpt_cut_inside_a_quotation_is_not_an_opinion_piece() -> None:
    """First-person words from a quotation the excerpt cuts before its closing mark are not a
    writer's voice running through a piece."""
    text = (
        "The official reached out to clear the air after the interview was published last week. "
        "He wrote in an email that it was all a misunderstanding between old friends. "
        "“I saw the Science interview, how could I say such a word about others? That was..."
    )
    v = voice(text)
    assert not v.first_person


def test_a_quotation_cut_before_its_closing_mark_is_still_someone_else_speaking() -> None:
    text = (
        "Biden got his booster shot before news cameras on Monday.\n"
        "\"Like I did with my first and second shot, I'm about to get my booster and do it...\n"
        "The White House said more people are eligible."
    )
    assert voice(text).markers == 0


def test_a_couple_of_first_person_words_do_not_make_a_short_report_an_opinion_piece() -> None:
    v = voice("I think the talks matter. My sources agree the deal holds.")
    assert v.markers == 2 and not v.first_person


def test_attribution_needs_a_quotation_mark_or_a_speech_verb() -> None:
    from briefer.text.voice import attributes

    assert attributes("Mishustin didn't mince words, calling Li his “dear friend”")
    assert attributes("the Kremlin said it attaches great importance to the visit")
    assert not attributes("Deals signed hint at deeper integration, from farms to firmaments.")
