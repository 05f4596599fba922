"""briefer.checks.voice: the writer's own voice as checkable evidence of an opinion piece."""

from __future__ import annotations

from briefer.checks.voice import voice

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
    own = "In my view the talks matter. I think the deal will hold."
    v = voice(own)
    assert v.markers == 2 and v.first_person
