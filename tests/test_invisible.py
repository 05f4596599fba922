"""Invisible characters: padding made of format characters (zero-width spaces and joiners, bidi
controls, soft hyphens, tag characters, ...) never reaches the model, the token count, the
duplicate check or a title or outlet name; what real text needs (an emoji's joiner, a Persian
word's non-joiner, one variation selector) stays.

The judge is the expected text written out, and Unicode's category of each character."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from briefer.daily.dedupe import content_hash, dedupe
from briefer.ingest.clean import clean_text
from briefer.ingest.files import Article, ingest, read_article, read_page
from briefer.ingest.invisible import visible

# One of every kind: zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen,
# LRM, RLM, ALM, embeddings and overrides, isolates, invisible operators, Mongolian vowel
# separator, interlinear annotation, language and ASCII tag characters, Hangul fillers.
PADDING = [
    *"\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c",
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    *"\u2061\u2062\u2063\u2064\u180e\ufff9\ufffa\ufffb",
    "\U000e0001",
    "\U000e0041",
    "\u3164",
    "\uffa0",
]
# Real text that needs what it holds: kept exactly.
NEEDED = [
    "👩\u200d💻 and 👨\u200d👩\u200d👧",  # emoji ZWJ sequences
    "❤\ufe0f\u200d🔥",  # a selector, then a joiner, in one emoji
    "1\ufe0f\u20e3 and ☺\ufe0f",  # keycap, emoji presentation
    "می\u200cخواهم",  # Persian: a non-joiner inside a word
    "क्\u200dष",  # Devanagari: a joiner after the virama
    "葛\U000e0100城",  # an ideographic variation sequence
    "Zoë Šimić in São Paulo, 東京, שלום, مرحبا, ภาษาไทย, Ελληνικά",
]
# A 591-character article, as in the issue.
ARTICLE = (
    "Harbor bridge closes for six weeks of repairs\n\n"
    "The Millbrook harbor bridge will close to all traffic on Monday, so crews can replace two "
    "corroded steel girders, the city transport department announced on Friday morning. Transport "
    "director Dana Whitfield said inspectors found the corrosion in February during a routine "
    "check. Commuters face detours through the Elm Street crossing, and harbor ferries will add "
    "morning sailings while the bridge is shut. The repairs are expected to cost $12 million, "
    "officials said, and the work will be paid for from the city's roads budget later this year.\n"
)


def padded(text: str, every: str = "".join(PADDING)) -> str:
    """`text` with the padding after every letter."""
    return "".join(c + every if c.isalpha() else c for c in text)


def test_the_article_is_as_long_as_the_issue_says() -> None:
    assert len(ARTICLE) == 591 and len(padded(ARTICLE)) > 9_000


@pytest.mark.parametrize("char", PADDING, ids=lambda c: f"U+{ord(c):04X}")
def test_every_kind_of_padding_goes(char: str) -> None:
    assert visible(f"wo{char}rd {char * 50}x") == "word x"
    assert visible(f"{char}Zoë{char}") == "Zoë"


@pytest.mark.parametrize("text", NEEDED)
def test_what_real_text_needs_stays(text: str) -> None:
    assert visible(text) == text


def test_joiners_go_where_no_script_needs_them_or_in_a_run() -> None:
    assert visible("wo\u200crd wo\u200drd") == "word word"  # between Latin letters
    assert visible("👩\u200d\u200d💻 👩\u200b\u200d💻") == "👩💻 👩💻"  # runs are padding
    assert visible("x\ufe0f\ufe0f\ufe0fy \ufe0fz") == "x\ufe0fy z"  # one selector, on a base
    assert visible("\u200d👩") == "👩"  # nothing before it to join


def test_for_comparison_even_needed_joiners_go() -> None:
    assert visible("👩\u200d💻 می\u200cخواهم ❤\ufe0f", joiners=False) == "👩💻 میخواهم ❤"


def test_cleaning_twice_changes_nothing() -> None:
    text = padded(ARTICLE) + "".join(NEEDED) + "".join(PADDING)
    once = visible(text)
    assert visible(once) == once
    assert not [c for c in once if unicodedata.category(c) == "Cf" and c not in "\u200c\u200d"]


def test_a_padded_article_reads_as_the_plain_one(tmp_path: Path) -> None:
    """Same text, same id: the padded copy is a duplicate, not a 9,000-character article."""
    (tmp_path / "plain.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "padded.txt").write_text(padded(ARTICLE), encoding="utf-8")
    result = ingest([tmp_path])
    (article,) = result.articles
    assert (
        article.text == ARTICLE and article.title == "Harbor bridge closes for six weeks of repairs"
    )
    assert [s.reason for s in result.skipped] == [f"duplicate of {tmp_path / 'padded.txt'}"]


def test_an_all_invisible_file_has_no_article_text(tmp_path: Path) -> None:
    (tmp_path / "blank.txt").write_text("\u200b\u200d\u2060\ufeff" * 25_000, encoding="utf-8")
    entities = "&#8203;&zwj;&#x2060;" * 1000
    (tmp_path / "blank.html").write_text(f"<html><body><p>{entities}</p></body></html>")
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    skipped = {Path(s.path).name: s.reason for s in ingest([tmp_path]).skipped}
    assert skipped == {"blank.txt": "no article text found", "blank.html": "no article text found"}
    with pytest.raises(ValueError, match="no article text found"):
        read_page("\u200b\u200c" * 100, "https://example.com/x", html=False)


def test_titles_and_outlet_names_lose_their_invisible_characters(tmp_path: Path) -> None:
    md = tmp_path / "a.md"
    md.write_text(
        "---\noutlet: Valley\u202e Post\u200b\ntitle: Bridge\u00ad closes\u2066\n---\n" + ARTICLE,
        encoding="utf-8",
    )
    article = read_article(md)
    assert (article.outlet, article.title) == ("Valley Post", "Bridge closes")
    manifest = {"outlet": "\u2067Metro\u200d Wire", "title": "\u200b\u200b"}  # an empty title
    article = read_article(md, manifest)
    assert (article.outlet, article.title) == ("Metro Wire", "Bridge closes")
    page = (
        '<html><head><title>Bri&#8203;dge &#x202E;closes</title><meta property="og:site_name" '
        'content="Harbor&#xAD; Gazette&#8207;"></head><body><article><p>'
        + ARTICLE.replace("\n\n", "</p><p>")
        + "</p></article></body></html>"
    )
    article = read_page(page, "https://example.com/bridge")
    assert (article.outlet, article.title) == ("Harbor Gazette", "Bridge closes")
    article = read_page(
        ARTICLE, "https://x.example/1", html=False, outlet="Feed\u202e", title="T\u200bitle"
    )
    assert (article.outlet, article.title) == ("Feed", "Title")


def test_the_duplicate_check_sees_through_invisible_characters() -> None:
    plain = read_page(ARTICLE, "https://a.example/bridge", html=False)
    copy = read_page(padded(ARTICLE, "\u200b\u2060"), "https://b.example/bridge", html=False)
    kept, dropped = dedupe([plain, copy])
    assert kept == [plain]
    assert [d.reason for d in dropped] == ["duplicate (same text) of https://a.example/bridge"]
    # A joiner a script keeps does not hide a copy either.
    assert content_hash("خبر می\u200cخواهم امروز") == content_hash("خبر میخواهم امروز")


def test_an_article_handed_over_directly_is_cleaned_before_the_model() -> None:
    article = Article(
        id="x", path="p", title="t", outlet="o", outlet_source="file", text=padded(ARTICLE)
    )
    assert clean_text(article.text).text == ARTICLE
