"""Story grouping: a day's articles cover several stories, and a briefing compares outlets on one.

Articles are TF-IDF vectors (standard library only, so the result is the same everywhere);
any two at or above a cosine threshold are joined, and joins chain (single link, union-find).
A group is briefed when enough different outlets cover it; the rest are listed, not briefed.
Everything is ordered, so the same input always gives the same groups, slugs and order.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel

from ..ingest.files import Article
from .dedupe import words
from .state import INDEX_NAME, INDEX_PAGE

DEFAULT_THRESHOLD = 0.15
_SLUG_WORDS = 4
# A story's files are SLUG.md, SLUG.html, ...: no slug may name the day's own index files.
RESERVED_SLUGS = frozenset(name.rsplit(".", 1)[0] for name in (INDEX_NAME, INDEX_PAGE))

# Words that say nothing about which story an article covers.
_STOP_TEXT = """
    about above after again against all also among and any are around as at back be because
    been before being below between both but by can could did does doing down during each
    even ever every few for from further had has have having he her here hers him his how
    however into its itself just last least less like made make many may more most much must
    near new news next not now off often once one only onto other our ours out over own per
    said same says she should since some still such than that the their theirs them then there
    these they this those though three through thus till too two under until upon very was
    way week weeks were what when where whether which while who whom whose why will with
    within without would year years yet you your today yesterday monday tuesday wednesday
    thursday friday saturday sunday according told tell report reported reports reporting
"""
STOPWORDS = frozenset(_STOP_TEXT.split())


def terms(text: str) -> list[str]:
    """Salient words: no stopwords, no numbers, nothing shorter than three letters."""
    return [w for w in words(text) if len(w) > 2 and not w.isdigit() and w not in STOPWORDS]


def _document(article: Article) -> list[str]:
    # The title names the story; counting it twice lets it outweigh a long tangent.
    return terms(article.title) * 2 + terms(article.text)


def tfidf(docs: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """L2-normalised TF-IDF vectors (sublinear tf, smoothed idf)."""
    n = len(docs)
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    vectors = []
    for doc in docs:
        tf = Counter(doc)
        vec = {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    return vectors


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def similarity_groups(vectors: Sequence[dict[str, float]], threshold: float) -> list[list[int]]:
    """Indices joined by any pair at or above `threshold`; each group sorted, groups by first."""
    parent = list(range(len(vectors)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(vectors)):
        for j in range(i + 1, len(vectors)):
            if cosine(vectors[i], vectors[j]) >= threshold:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(len(vectors)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def story_slug(titles: Sequence[str], weights: dict[str, float]) -> str:
    """The most frequent salient title words (ties: higher TF-IDF weight, then alphabetical),
    in the order they first appear, e.g. 'harbor-bridge-repairs'."""
    per_title = [list(dict.fromkeys(terms(t))) for t in titles]
    counts = Counter(w for ws in per_title for w in ws)
    ranked = sorted(counts, key=lambda w: (-counts[w], -weights.get(w, 0.0), w))[:_SLUG_WORDS]
    order = list(dict.fromkeys(w for ws in per_title for w in ws))
    return slugify("-".join(sorted(ranked, key=order.index)))


class Story(BaseModel):
    """One story to brief: its articles in a fixed order (so re-runs hit the call cache)."""

    slug: str
    title: str
    articles: list[Article]

    def outlets(self) -> list[str]:
        return list(dict.fromkeys(a.outlet for a in self.articles))


class Grouping(BaseModel):
    stories: list[Story]
    singles: list[Article]  # covered by fewer outlets than a briefing needs


def _outlet_key(article: Article) -> str:
    return " ".join(article.outlet.casefold().split())


def group(
    articles: Sequence[Article], threshold: float = DEFAULT_THRESHOLD, min_outlets: int = 2
) -> Grouping:
    """Group articles into stories; only groups with `min_outlets` distinct outlets are briefed.

    Stories come largest first; their articles are sorted by path or URL; slugs are unique
    within the result and never a name the day's folder needs (index); singles keep input
    order.
    """
    vectors = tfidf([_document(a) for a in articles])
    candidates: list[tuple[str, list[Article]]] = []
    singles: list[int] = []
    for indices in similarity_groups(vectors, threshold):
        outlets = {_outlet_key(articles[i]) for i in indices}
        if len(indices) < 2 or len(outlets) < min_outlets:
            singles.extend(indices)
            continue
        members = sorted((articles[i] for i in indices), key=lambda a: a.path)
        weights: Counter[str] = Counter()
        for i in indices:
            weights.update(vectors[i])
        slug = story_slug([a.title for a in members], dict(weights)) or "story"
        if slug in RESERVED_SLUGS:  # two outlets titled it "Index"
            slug = f"{slug}-story"
        candidates.append((slug, members))
    # Largest first, then by slug and first path: the order never depends on input order.
    candidates.sort(key=lambda c: (-len(c[1]), c[0], c[1][0].path))
    stories: list[Story] = []
    used: Counter[str] = Counter()
    for slug, members in candidates:
        used[slug] += 1
        unique = slug if used[slug] == 1 else f"{slug}-{used[slug]}"
        stories.append(Story(slug=unique, title=members[0].title, articles=members))
    return Grouping(stories=stories, singles=[articles[i] for i in sorted(singles)])
