"""briefer.story.lead: the first real sentence of reporting, past the page's furniture."""

from __future__ import annotations

import pytest

from briefer.ingest.clean import clean_text
from briefer.ingest.files import ingest
from briefer.story.lead import LEAD_WORDS, lead_sentence

from .conftest import SEEDS
from .runaway import finishes

# Read from the seeds: what each outlet puts first, once its furniture is skipped.
SEED_LEADS = {
    # The blog opens on its scene-setting sentence ("Picture this: ..." is the first line).
    "000": "Picture this: a crisp autumn morning in Hangzhou, where ancient pagodas meet modern "
    "skyscrapers, and suddenly, a fleet of Russian jets touches down carrying not just "
    "dignitaries, but a message.",
    # Past the title (twice), the pool-photo caption and its "| Afp | Getty Images" credit;
    # "U.S." does not end the sentence.
    "001": "Russian officials appeared eager Monday to reaffiirm Moscow’s alliance with China "
    "following U.S. President Donald Trump’s high-profile meeting with Xi Jinping.",
    # The heading glued to the first sentence ("...Strategic TiesThe 30th") is cut off; the
    # sentence has 48 words, so it is cut to 45 on a word boundary.
    "002": "The 30th regular meeting of the prime ministers of China and Russia on November 3, "
    "2025, in Hangzhou—followed by a high-level bilateral dialogue between Chinese President "
    "Xi Jinping and Russian Prime Minister Mikhail Mishustin in Beijing on November 4—served as "
    "a pivotal checkpoint…",
    # Past the "China News" label and two headlines.
    "003": "Chinese President Xi Jinping hosted Russian Prime Minister Mikhail Mishustin in "
    "Beijing on November 4, 2025, as both nations aim to enhance cooperation across key "
    "sectors such as energy, agriculture, and technology.",
    # The standfirst under the headline, before the timestamp and the "Photo:" credit.
    "004": "Russian Prime Minister Mikhail Mishustin began a two-day visit to China as Moscow and "
    "Beijing deepen their strategic cooperation in the face of mounting U.S. trade restrictions "
    "and Western sanctions.",
}


def _articles() -> dict[str, tuple[str, str]]:
    """Seed prefix -> (text, title) as ingest reads them."""
    result = ingest([SEEDS])
    return {a.path.split("/")[-1][:3]: (a.text, a.title) for a in result.articles}


@pytest.mark.parametrize("prefix", sorted(SEED_LEADS))
def test_the_lead_of_each_seed(prefix: str) -> None:
    text, title = _articles()[prefix]
    assert lead_sentence(text, title) == SEED_LEADS[prefix]
    assert lead_sentence(clean_text(text).text, title) == SEED_LEADS[prefix]
    # Without a title (or with another one) the furniture is still skipped.
    assert lead_sentence(text, "") == SEED_LEADS[prefix]


def test_the_title_repeated_as_a_line_is_skipped_but_a_paragraph_is_not() -> None:
    title = "Russia and China sign a new trade deal in Beijing."
    text = f"{title}\nThe two governments signed twelve agreements on energy and trade on Monday."
    assert lead_sentence(text, title).startswith("The two governments")
    # A whole first paragraph that a long title was cut from is the lead itself.
    para = "Picture this: " + "a long first paragraph of reporting " * 8 + "ends here. Next."
    assert lead_sentence(para, para[:60] + "...").startswith("Picture this: a long")
    assert lead_sentence(para, para).startswith("Picture this: a long")
    two = "Russia and China signed deals on trade. They also agreed on energy and space."
    assert lead_sentence(two, two) == "Russia and China signed deals on trade."


REAL = "Chinese President Xi Jinping met Russia’s prime minister in Beijing on Tuesday."

# Each line is long enough and ends like a sentence, so only its own rule can skip it.
FURNITURE = {
    "label": "World News",
    "byline": "By Jane Smith, Reuters correspondent in Beijing.",
    "timestamp": "Published on Monday, November 3, 2025, at 12:34 p.m.",
    "photo label": "Photo: the two leaders shake hands at the airport.",
    "photo sentence": "In this pool photograph distributed by Sputnik, the premier arrives.",
    "position in a photo": "Mikhail Mishustin (R) arrives at the airport of Hangzhou on Monday.",
    "caption before a credit": "The two leaders met in Beijing on Monday, November 3, 2025.\n"
    "Alexander Kazakov | Via Reuters",
    "pipes": "Home | World | China and Russia sign twelve deals on trade and energy.",
    "bullet": "- Trade Boost: new protocols to slash barriers on agricultural goods.",
}


@pytest.mark.parametrize("furniture", FURNITURE.values(), ids=FURNITURE.keys())
def test_page_furniture_is_skipped(furniture: str) -> None:
    assert lead_sentence(f"{furniture}\n{REAL} He said ties were strong.", "") == REAL


def test_a_wire_dateline_is_cut_from_the_lead() -> None:
    text = f"BEIJING, Nov 4 (Reuters) - {REAL} More."
    assert lead_sentence(text, "") == REAL
    assert lead_sentence(f"HANGZHOU, China — {REAL}", "") == REAL


def test_a_heading_glued_to_the_first_sentence_is_cut_off() -> None:
    lead = "Russia and China signed twelve agreements on Monday."
    # The title's own words, in sentence case, glued without a space.
    title = "Blog by a reader.Trade talks end in a deal"
    assert lead_sentence(f"Trade talks end in a deal{lead}", title) == lead
    # Any Title Case heading glued the same way.
    assert lead_sentence(f"Summit Structure and Key Outcomes{lead}", "") == lead


def test_the_sentence_ends_at_its_end_not_at_an_abbreviation() -> None:
    text = (
        "The U.S. and China agreed on Nov. 3 that Mr. Li and Donald J. Trump would meet again "
        "in St. Petersburg. Then they left."
    )
    assert lead_sentence(text, "") == (
        "The U.S. and China agreed on Nov. 3 that Mr. Li and Donald J. Trump would meet again "
        "in St. Petersburg."
    )


def test_a_short_opener_is_passed_for_the_first_sentence_that_reports() -> None:
    text = "It’s official. Russia and China signed twelve agreements on trade and energy."
    assert lead_sentence(text, "") == (
        "Russia and China signed twelve agreements on trade and energy."
    )


def test_a_long_sentence_is_cut_on_a_word_boundary_with_an_ellipsis() -> None:
    words = [f"w{i}" for i in range(60)]
    lead = lead_sentence(" ".join(words) + ".", "")
    assert lead == " ".join(words[:LEAD_WORDS]) + "…"
    exact = " ".join(words[:LEAD_WORDS]) + "."
    assert lead_sentence(exact, "") == exact  # not longer: not cut


def test_no_lead_in_furniture_only() -> None:
    assert lead_sentence("China News\n\nNov 3, 2025 - 12:34\nBy Jane Smith\n", "China News") == ""
    assert lead_sentence("", "") == ""


HOSTILE = {
    "one long line": "a " * 100_000,
    "full stops": ". " * 100_000,
    "capitals": "A" * 200_000,
    "short lines": "x\n" * 100_000,
    "glued": "aB " * 70_000,
    "bylines": "By " * 70_000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_does_not_hang(text: str) -> None:
    with finishes():  # backtracking would take minutes
        lead_sentence(text, text[:5000])


def test_a_name_with_an_inner_capital_is_not_a_glued_heading() -> None:
    text = (
        "Senate Minority Leader Mitch McConnell announces he got a booster\n\n"
        "Republican Senate Minority Leader Mitch McConnell announced during a floor speech on "
        "Monday that he has received a third dose of the vaccine."
    )
    lead = lead_sentence(text, "Senate Minority Leader Mitch McConnell announces he got a booster")
    assert lead.startswith("Republican Senate Minority Leader Mitch McConnell announced")
