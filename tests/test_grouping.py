"""Story grouping on fixed input: stories found, singles listed, order and slugs stable."""

from __future__ import annotations

from pathlib import Path

from briefer.daily.grouping import cosine, group, similarity_groups, slugify, story_slug, tfidf
from briefer.ingest.files import Article, read_article, read_page

from .conftest import SEEDS

DAILY = Path(__file__).parent / "data" / "daily"


def day_articles() -> list[Article]:
    folder = DAILY / "folder"
    files = ["coastal-times-bridge.txt", "valley-post-bridge.md", "valley-post-library.txt"]
    files.append("town-crier-bakery.txt")
    articles = [read_article(folder / f) for f in files]
    for page in ["bridge.html", "library.html", "library-gazette.html", "old-fair.html"]:
        html = (DAILY / "web" / page).read_text(encoding="utf-8")
        articles.append(read_page(html, f"http://news.test/{page}"))
    return articles


def test_a_days_articles_split_into_stories_and_singles() -> None:
    result = group(day_articles())
    stories = {s.slug: [a.path.rsplit("/", 1)[-1] for a in s.articles] for s in result.stories}
    assert stories == {
        "millbrook-harbor-bridge-girder": [
            "coastal-times-bridge.txt",
            "valley-post-bridge.md",
            "bridge.html",
        ],
        "library-board-branch-hours": [
            "valley-post-library.txt",
            "library-gazette.html",
            "library.html",
        ],
    }
    assert [a.title for a in result.singles] == [
        "Family bakery on Dock Road wins national sourdough prize",
        "Winter craft fair draws record crowds to the old mill",
    ]
    for story in result.stories:
        assert len(set(story.outlets())) == 3


def test_grouping_is_the_same_whatever_the_input_order() -> None:
    articles = day_articles()
    forward = group(articles)
    backward = group(list(reversed(articles)))
    assert [(s.slug, s.articles) for s in forward.stories] == [
        (s.slug, s.articles) for s in backward.stories
    ]
    assert [a.path for a in forward.singles] == [a.path for a in reversed(backward.singles)]


def test_one_outlet_is_not_enough_for_a_briefing() -> None:
    a, b = day_articles()[:2]
    same_outlet = b.model_copy(update={"outlet": a.outlet.upper() + " "})
    result = group([a, same_outlet])
    assert result.stories == []
    assert [x.path for x in result.singles] == [a.path, same_outlet.path]
    # With two outlets the same pair is a story.
    assert [len(s.articles) for s in group([a, b]).stories] == [2]


def test_threshold_decides_what_joins() -> None:
    articles = day_articles()
    assert group(articles, threshold=0.99).stories == []
    everything = group(articles, threshold=0.0)
    assert len(everything.stories) == 1 and len(everything.stories[0].articles) == len(articles)


def test_the_seeds_are_one_story() -> None:
    seeds = [read_article(p) for p in sorted(SEEDS.iterdir())]
    result = group(seeds)
    assert [len(s.articles) for s in result.stories] == [len(seeds)]
    # From the seeds' headlines (002 without its glued site name, 003 below its "China News").
    assert result.stories[0].slug == "russia-china-strengthen-amid"


def test_single_link_chains_and_union_find_orders_groups() -> None:
    vecs = [{"a": 1.0}, {"a": 0.6, "b": 0.8}, {"b": 1.0}, {"c": 1.0}]
    assert cosine(vecs[0], vecs[2]) == 0.0
    assert similarity_groups(vecs, 0.5) == [[0, 1, 2], [3]]
    vectors = tfidf([["x", "x", "y"], ["y"]])
    assert abs(sum(v * v for v in vectors[0].values()) - 1.0) < 1e-9


def test_slug_uses_the_most_frequent_title_words_in_reading_order() -> None:
    titles = ["Harbor bridge closes", "Bridge closure: harbor traffic diverted", "Harbor bridge"]
    assert story_slug(titles, {}) == "harbor-bridge-closes-closure"
    assert slugify("Zürich’s «Café» — 2026!") == "zurichs-cafe-2026"
