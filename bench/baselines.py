"""The extractive baselines the evaluation set publishes scores for (in its notes beside the
data, outside this repository): summaries written by code, no model. A model-written summary
worth reading should beat all three; the published ROUGE-1/2/L F on the 40 dev events are
lead-3 0.357/0.133/0.210, first sentences 0.375/0.149/0.218, consensus 0.414/0.169/0.231.

- lead-3 of the center article: its first three sentences;
- first sentence of each outlet, in article order;
- consensus extractive: every sentence of every outlet is a TF-IDF vector (words of two or
  more characters, lower-cased, stop words kept; idf fitted on the event's sentences, smoothed as
  scikit-learn does); a sentence scores the mean, over the other outlets, of its best cosine
  with any of that outlet's sentences, plus a lead bonus that halves with each position
  (LEAD_BONUS for an article's first sentence, half that for its second, ...). Four sentences
  are picked greedily, each by its score minus REDUNDANCY times its best cosine with the ones
  already picked (maximal marginal relevance), and shown in article order.

Sentences are split after . ! ? followed by white space. On the 40 dev events the first two
reproduce the published rows to the third decimal; the consensus gives 0.411/0.169/0.231 (its
exact bonus and penalty are not published; many nearby settings land between 0.410 and 0.413).
`python bench/quality.py --baselines-only` prints them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from eval_events import Event, EventArticle

LEAD_BONUS = 0.2
REDUNDANCY = 1.0
CONSENSUS_SENTENCES = 4

_SPLIT = re.compile(r"(?<=[.!?])\s+")
# Words of two characters or more, lower-cased, stop words kept (scikit-learn's TF-IDF default).
_TOKEN = re.compile(r"\b\w\w+\b")
Vector = dict[str, float]


def split_sentences(text: str) -> list[str]:
    """Sentences split after . ! ? and white space (what the README's baselines use)."""
    return [s.strip() for s in _SPLIT.split(text) if s.strip()]


def center_article(event: Event) -> EventArticle:
    """The article whose side is "center" (the middle one if none says so)."""
    for a in event.articles:
        if a.side.lower() == "center":
            return a
    return event.articles[len(event.articles) // 2]


def lead3_center(event: Event) -> list[str]:
    return split_sentences(center_article(event).text)[:3]


def first_of_each(event: Event) -> list[str]:
    return [s[0] for s in (split_sentences(a.text) for a in event.articles) if s]


def _terms(sentence: str) -> list[str]:
    return _TOKEN.findall(sentence.lower())


def tfidf(sentences: Sequence[str]) -> list[Vector]:
    """Unit-length TF-IDF vectors, idf = ln((1 + n) / (1 + df)) + 1 over these sentences."""
    docs = [Counter(_terms(s)) for s in sentences]
    df = Counter(t for d in docs for t in d)
    idf = {t: math.log((1 + len(docs)) / (1 + n)) + 1 for t, n in df.items()}
    vectors = []
    for d in docs:
        v = {t: c * idf[t] for t, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({t: x / norm for t, x in v.items()})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(x * large.get(t, 0.0) for t, x in small.items())


def consensus_scores(sentences: Sequence[tuple[int, int, Vector]]) -> list[float]:
    """Per (article, position, vector): the mean over the other articles of the best cosine
    with one of their sentences, plus LEAD_BONUS * 0.5 ** position."""
    articles = sorted({a for a, _, _ in sentences})
    scores = []
    for a, pos, v in sentences:
        best = [
            max((cosine(v, w) for b, _, w in sentences if b == other), default=0.0)
            for other in articles
            if other != a
        ]
        agreement = sum(best) / len(best) if best else 0.0
        scores.append(agreement + LEAD_BONUS * 0.5**pos)
    return scores


def pick(scores: Sequence[float], vectors: Sequence[Vector], k: int) -> list[int]:
    """Indices of `k` picks, greedily by score minus REDUNDANCY x best cosine with the picked
    ones, sorted back into their original order."""
    chosen: list[int] = []
    while len(chosen) < min(k, len(scores)):
        best_i, best_value = -1, -math.inf
        for i, score in enumerate(scores):
            if i in chosen:
                continue
            overlap = max((cosine(vectors[i], vectors[j]) for j in chosen), default=0.0)
            value = score - REDUNDANCY * overlap
            if value > best_value:
                best_i, best_value = i, value
        chosen.append(best_i)
    return sorted(chosen)


def consensus(event: Event, k: int = CONSENSUS_SENTENCES) -> list[str]:
    """The consensus extractive summary: `k` sentences most outlets agree on, in article order."""
    located = [
        (a, pos, s)
        for a, article in enumerate(event.articles)
        for pos, s in enumerate(split_sentences(article.text))
    ]
    vectors = tfidf([s for _, _, s in located])
    scores = consensus_scores(
        [(a, pos, v) for (a, pos, _), v in zip(located, vectors, strict=True)]
    )
    return [located[i][2] for i in pick(scores, vectors, k)]


BASELINES = {
    "lead-3 of the center article": lead3_center,
    "first sentence of each outlet": first_of_each,
    "consensus extractive": consensus,
}
