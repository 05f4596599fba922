"""briefer.ingest.clean.clean_text on the real seed articles: boilerplate out, article text in."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from briefer.ingest.clean import clean_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def seed(prefix: str) -> str:
    return next(p for p in SEED_FILES if p.name.startswith(prefix)).read_text("utf-8")


def cleaned(prefix: str) -> str:
    return clean_text(seed(prefix)).text


def lines_of(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def test_seed_001_drops_cnbc_promos() -> None:
    text = cleaned("001")
    for promo in [
        "Read More",
        "Nvidia is partnering with major Indian VC firms",
        "Nvidia H100 chips",
        "Japan exports growth surges",
        "Containers at a shipping terminal in Yokohama",
        "The China Connection newsletter",
        "Businesses scramble to reach China",
    ]:
        assert promo not in text, promo
    assert "World" not in lines_of(text)


def test_seed_001_drops_photo_credits_captions_and_source_line() -> None:
    text = cleaned("001")
    for credit in ["Getty Images", "Reuters", "Dmitry Astakhov", "Alexander Kazakov", "Hockstein"]:
        assert credit not in text, credit
    for caption in [
        "In this pool photograph distributed by the Russian state agency Sputnik",
        "welcomes Russian President Vladimir Putin during a ceremony",
        "talk as they leave after a bilateral meeting at Gimhae International Airport",
    ]:
        assert caption not in text, caption
    assert "Source" not in lines_of(text)


def test_seed_001_keeps_the_article_body() -> None:
    original, text = seed("001"), cleaned("001")
    body = [
        "dear friend",
        "at their highest level in their centuries-long history",
        "illegal Western sanctions",
        "Despite new external risks and challenges in this process, China and Russia always "
        "support each other",
        "he said, TASS reported",
        "good neighbors and reliable partners who can always trust each other",
        "the Kremlin said it placed “very great” importance on the talks",
        "taking overall duties on Chinese goods down to 47%",
        "every time I speak to Vladimir, I have good conversations",
        "Russia was non-plussed by the cancelation",
    ]
    for quote in body:
        assert quote in original and quote in text, quote
    assert "Perfect timing?" in lines_of(text)
    title = "Russia looks to cosy up with China after Trump\u2019s meeting with Xi"
    assert lines_of(text)[0] == title
    assert text.count(title) == 1  # the repeated title goes, the first copy stays
    # every paragraph from the lede to the last article paragraph survives
    start = original.index("Russian officials appeared eager Monday")
    end = original.index("for the jettisoned talks.") + len("for the jettisoned talks.")
    for line in lines_of(original[start:end]):
        if "|" in line or line.endswith(("2025.", "2025")):
            continue  # credits and their captions
        assert line in text, line


def test_seed_003_drops_ads_and_related_links() -> None:
    text = cleaned("003")
    for junk in ["Glow Sticks", "Two-Way Radios", "Related:", "Gaza"]:
        assert junk not in text, junk
    assert "China-Russia relations have forged ahead this year" in text
    assert "It is our shared strategic choice to uphold" in text
    assert "Conclusion" in lines_of(text)
    assert lines_of(text)[-1].endswith("influence global relations and economic landscapes.")


def test_seed_000_drops_word_count_only() -> None:
    original = seed("000")
    result = clean_text(original)
    assert "Word count" not in result.text
    assert result.removed == ["(Word count: 3124)"]
    for kept in [
        "$250 billion",
        "\u2013 A senior Russian official",
        "\u2013 Chinese Premier during the talks",
    ]:
        assert kept in result.text, kept
    assert len(lines_of(result.text)) == len(lines_of(original)) - 1


def test_seed_002_drops_comment_widget() -> None:
    text = cleaned("002")
    assert "Post a Comment" not in text
    assert "Comments" not in lines_of(text)
    assert "$240 billion" in text
    assert "Multilateral | Anti-hegemony coordination" in text  # table rows are content


def test_seed_004_keeps_li_qiang_quotes_and_drops_photo_credit() -> None:
    original, text = seed("004"), cleaned("004")
    for quote in [
        "good neighbours and good partners who trust each other.",
        "strengthen the alignment of development strategies with Russia and expand cooperation "
        "in various fields,",
        "very great importance",
        "external economic pressure",
        "market saturation",
    ]:
        assert quote in original and quote in text, quote
    assert text.count("Li Qiang") == original.count("Li Qiang") - 1  # one was in the credit
    assert "Photo:" not in text
    assert "government.ru" not in text


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_cleaning_only_removes_whole_lines(path: Path) -> None:
    original = path.read_text("utf-8")
    result = clean_text(original)
    before, after = lines_of(original), lines_of(result.text)
    # the kept lines are original lines, in their original order
    it = iter(before)
    assert all(line in it for line in after)
    # and kept + removed account for every original line exactly
    assert Counter(after) + Counter(result.removed) == Counter(before)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_cleaning_is_idempotent(path: Path) -> None:
    once = clean_text(path.read_text("utf-8"))
    twice = clean_text(once.text)
    assert twice.text == once.text
    assert twice.removed == []


PLAIN = [
    "Talks end in Beijing",
    "Russian Prime Minister Mikhail Mishustin met President Xi Jinping in Beijing on Tuesday, "
    "a day after talks with Premier Li Qiang in Hangzhou.",
    "The two sides signed agreements on energy, agriculture, transport and space, according to "
    "Russian state media.",
    "“China and Russia always support each other,” Li said, TASS reported.",
    "Trade between the two countries has cooled in recent months.",
]


def test_plain_article_is_unchanged_apart_from_whitespace() -> None:
    messy = "\n\n" + "  \n\n\n\n".join(p + "   " for p in PLAIN) + "\n\n\n"
    result = clean_text(messy)
    assert result.text == "\n\n".join(PLAIN) + "\n"
    assert result.removed == []


def test_plain_article_keeps_a_last_sentence_with_dashes() -> None:
    """An appositive between dashes in the last paragraph is prose, not a product ad."""
    last = "Dmitry Peskov — the Kremlin spokesman — said further talks are planned for December."
    article = "\n\n".join([*PLAIN, last]) + "\n"
    result = clean_text(article)
    assert last in result.text
    assert result.removed == []
