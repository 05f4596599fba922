"""Dedupe: canonical URLs, exact copies and near-duplicates are each caught; distinct
articles about the same story are not."""

from __future__ import annotations

from pathlib import Path

from briefer.daily.dedupe import canonical_url, content_hash, dedupe, jaccard, shingles
from briefer.ingest.files import Article, read_article

DATA = Path(__file__).parent / "data" / "daily" / "folder"


def art(path: str, text: str, url: str | None = None, outlet: str = "X") -> Article:
    return Article(
        id=path, path=path, title=text[:20], outlet=outlet, outlet_source="file", text=text, url=url
    )


def test_canonical_url_drops_tracking_fragment_case_and_trailing_slash() -> None:
    a = "HTTPS://News.Example.COM:443/world/story/?utm_source=rss&id=7&fbclid=x#comments"
    assert canonical_url(a) == "https://news.example.com/world/story?id=7"
    assert canonical_url("http://example.com/a?b=2&a=1") == "http://example.com/a?a=1&b=2"
    # A real difference in the page stays a difference.
    assert canonical_url("http://example.com:8080/a") != canonical_url("http://example.com/a")
    assert canonical_url("http://example.com/a?id=1") != canonical_url("http://example.com/a?id=2")


def test_content_hash_ignores_case_and_spacing_only() -> None:
    assert content_hash("The  bridge\nCLOSES.") == content_hash("the bridge closes")
    assert content_hash("the bridge closes") != content_hash("the bridge opens")


def test_same_page_from_two_feeds_is_kept_once() -> None:
    first = art(
        "https://a.example/s?utm_source=rss", "One text.", url="https://a.example/s?utm_source=rss"
    )
    again = art("https://a.example/s#top", "Slightly other text.", url="https://a.example/s#top")
    kept, dropped = dedupe([first, again])
    assert kept == [first]
    assert dropped[0].path == again.path
    assert "same page" in dropped[0].reason and first.path in dropped[0].reason


def test_same_text_under_two_names_is_kept_once() -> None:
    kept, dropped = dedupe([art("a.txt", "Same words here."), art("b.txt", "same   WORDS here")])
    assert [a.path for a in kept] == ["a.txt"]
    assert dropped[0].reason == "duplicate (same text) of a.txt"


def test_syndicated_copy_with_a_footer_is_a_near_duplicate() -> None:
    original = read_article(DATA / "coastal-times-bridge.txt")
    copy = read_article(DATA / "zz-syndicated-bridge.txt")
    assert content_hash(original.text) != content_hash(copy.text)
    assert jaccard(shingles(original.text), shingles(copy.text)) >= 0.8
    kept, dropped = dedupe([original, copy])
    assert kept == [original]
    assert dropped[0].reason == f"near-duplicate of {original.path}"


def test_two_outlets_on_one_story_are_not_duplicates() -> None:
    a = read_article(DATA / "coastal-times-bridge.txt")
    b = read_article(DATA / "valley-post-bridge.md")
    kept, dropped = dedupe([a, b])
    assert kept == [a, b] and dropped == []
    assert jaccard(shingles(a.text), shingles(b.text)) < 0.2
