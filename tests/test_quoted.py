"""briefer.story.quoted: quotations with the speaker the article names, nothing guessed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefer.checks.verify import normalize, quote_in
from briefer.ingest.clean import clean_text
from briefer.story.quoted import quoted_people

from .conftest import SEEDS
from .runaway import finishes
from .verbatim import named_in


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return clean_text(path.read_text("utf-8")).text


def _pairs(text: str, limit: int = 10) -> list[tuple[str, str]]:
    return [(q.who, q.quote) for q in quoted_people(text, limit)]


def _inside_marks(quote: str, text: str) -> bool:
    """The judge: the quote stands between an opening and a closing quotation mark, with at
    most closing punctuation before the closing mark."""
    pattern = rf"[“\"«‘]{re.escape(quote)}[,.;:!?]*[”\"»’]"
    return re.search(pattern, text) is not None


def test_the_wire_report_quotes_li_qiang_twice() -> None:
    # Read from seeds/004: Li Qiang "describing the two nations as “good neighbours ...”", then
    # "He emphasized China’s readiness to “strengthen ...,” according to state broadcaster
    # CCTV": "He" is Li Qiang, CCTV only reported it.
    assert _pairs(_seed("004")) == [
        ("Li Qiang", "good neighbours and good partners who trust each other."),
        (
            "Li Qiang",
            "strengthen the alignment of development strategies with Russia and expand "
            "cooperation in various fields",
        ),
    ]


def test_the_cnbc_report_names_mishustin_li_and_trump() -> None:
    found = _pairs(_seed("001"))
    whos = [who for who, _ in found]
    assert whos == ["Mishustin", "Li Qiang", "Li Qiang", "Trump", "Trump"]
    quotes = " ".join(q for _, q in found)
    assert "at their highest level in their centuries-long history" in found[0][1]
    # “dear friend” (two words) and “amazing” are scare quotes, not speech.
    assert "dear friend" not in quotes and "amazing" not in quotes
    # "...in which he said the leaders had reached “agreement on many issues.”": no name says
    # who "he" is in that sentence or the one before, so it is left out, not guessed.
    assert "agreement on many issues" not in quotes


def test_xi_is_quoted_twice_in_one_sentence() -> None:
    assert [who for who, _ in _pairs(_seed("003"))] == ["Xi Jinping", "Xi Jinping"]


@pytest.mark.parametrize("prefix", ["000", "002"])
def test_short_or_unattributed_quoted_bits_are_not_quotes(prefix: str) -> None:
    # The blog quotes only scare quotes (“dear friend”, “no limits”); the other blog's
    # "community of shared future" has four words but no speaker.
    assert _pairs(_seed(prefix)) == []


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_every_quote_stands_inside_quotation_marks_and_is_verifiable(path: Path) -> None:
    for text in (path.read_text("utf-8"), clean_text(path.read_text("utf-8")).text):
        for q in quoted_people(text, limit=10):
            assert _inside_marks(q.quote, text), q.quote
            assert quote_in(q.quote, normalize(text))
            assert named_in(q.who, text), q.who
            assert len(q.quote.split()) >= 4


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("“We will defend our interests by all means,” said Chinese Premier Li Qiang.", "Li Qiang"),
        ("“We will defend our interests by all means,” Li Qiang said.", "Li Qiang"),
        ("Li Qiang said that “the two countries are old friends.”", "Li Qiang"),
        ("In Moscow, the Kremlin said “the talks were very constructive.”", "the Kremlin"),
        ("A spokesperson told reporters “we have nothing more to add.”", "A spokesperson"),
        ("Peskov told reporters “the visit is of great importance to us.”", "Peskov"),
        ("Mishustin, the prime minister, said “relations are at their highest.”", "Mishustin"),
        ("Trump described the meeting as “a great success for both countries.”", "Trump"),
        ("Putin wrote: “Our partnership has no limits at all.”", "Putin"),
        ("“The ties are strong and growing,” according to state broadcaster CCTV.", "CCTV"),
        (
            "Russia’s Prime Minister Mikhail Mishustin said “ties are at a high.”",
            "Mikhail Mishustin",
        ),
        ("Chinese Vice Premier He Lifeng said “trade will grow again next year.”", "He Lifeng"),
        ("Xi, meanwhile, said they should be “partners and friends and allies.”", "Xi"),
        ('"We will win this fight together," said Donald J. Trump.', "Donald J. Trump"),
        ("«Nous ne reculerons jamais devant eux», said Macron.", "Macron"),
        ("‘It’s the country’s best deal in years,’ Li said.", "Li"),
        ("Li Qiang told reporters:\n“We are good neighbours and good friends.”", "Li Qiang"),
        ("Li Qiang said talks went well. “We are good friends,” he said.", "Li Qiang"),
        (
            "Trump pulled out of talks with Russian President Vladimir Putin, saying he did not "
            "want to “have a wasted meeting.”",
            "Trump",
        ),
    ],
)
def test_the_named_speaker_next_to_the_quote(text: str, who: str) -> None:
    (found,) = quoted_people(text)
    assert found.who == who
    assert _inside_marks(found.quote, text)


@pytest.mark.parametrize(
    "text",
    [
        "The deal was described as “a turning point for the whole region.”",  # no speaker
        "“The talks went well, very well,” he said. Nobody knows who he is.",  # unnamed
        "Li Qiang praised the “very good neighbours” of China.",  # three words
        "Li Qiang said the “Power of Siberia Two Pipeline” will be built.",  # a name
        # The speaker of the sentence before, with no "he said" or "X said:" to point to it.
        "Li Qiang said the talks went well. “We are good neighbours and good friends.”",
        "Li Qiang said relations between the two countries are at their highest level.",
        "The nations’ leaders met. Li Qiang said ‘yes’ to the countries’ new plan for trade.",
        "Li Qiang said it was “a good day for the two countries",  # never closed
    ],
)
def test_what_is_left_out(text: str) -> None:
    assert quoted_people(text) == []


def test_a_pronoun_takes_the_speaker_of_the_previous_quote_not_a_nearer_name() -> None:
    text = (
        "“The talks went well for both sides,” Li said. Putin was not there. "
        "“We will meet again next year in Moscow,” he added. "
        "“It will be a very long winter,” she said."
    )
    # "he" follows Li's quote by one sentence; "she" follows none and no name says who she is.
    assert _pairs(text) == [
        ("Li", "The talks went well for both sides"),
    ]
    text2 = (
        "“The talks went well for both sides,” Li said. "
        "“We will meet again next year in Moscow,” he added."
    )
    assert [who for who, _ in _pairs(text2)] == ["Li", "Li"]


def test_ordered_by_position_deduplicated_and_limited() -> None:
    text = (
        "“One two three four five,” said Alpha. “Six seven eight nine ten,” said Beta. "
        "“One two three four five,” said Gamma. “Eleven twelve thirteen fourteen,” said Delta."
    )
    assert [who for who, _ in _pairs(text)] == ["Alpha", "Beta", "Delta"]
    assert [who for who, _ in _pairs(text, limit=2)] == ["Alpha", "Beta"]
    assert _pairs(text, limit=0) == []


def test_a_quote_inside_a_quote_belongs_to_the_outer_one() -> None:
    text = "“They told us ‘we will never ever leave’ and then they left,” said Li."
    assert _pairs(text) == [("Li", "They told us ‘we will never ever leave’ and then they left")]


def test_speech_in_one_quote_is_not_cut_at_its_inner_sentence_end() -> None:
    text = "Li spoke first. “We are ready. We will act together with Russia,” he said."
    assert _pairs(text) == [("Li", "We are ready. We will act together with Russia")]


def test_words_inside_quotation_marks_never_pass_for_a_speaker() -> None:
    text = "“Russia said no to us,” “so we must act now and quickly,” she added."
    assert quoted_people(text) == []


HOSTILE = {
    "unclosed marks": "“" * 200_000,
    "marks and letters": '“a”"b"«c»‘d’' * 20_000,
    "apostrophes": "‘" + "a’b " * 50_000,
    "full stops": ". " * 100_000,
    "capitalised runs": ("Aa " * 300 + "said “one two three four five” ") * 60,
    "unattributed quotes": "“one two three four” " * 10_000,
    "long according": ("according to " + "a " * 200 + "“one two three four”") * 300,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_does_not_hang(text: str) -> None:
    with finishes():  # backtracking would take minutes
        quoted_people(text)
