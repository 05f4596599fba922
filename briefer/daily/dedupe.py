"""Dedupe: one article reaching us twice (two feeds, a feed and a folder, a syndicated copy) is
analysed once, because paying twice for it would also make it count as two outlets.

Three tests, cheapest first: the canonical URL (tracking parameters, fragments and trailing
slashes do not make a new page), the exact content hash, then near-duplicates by the Jaccard
similarity of word shingles (a copy with a changed byline or footer).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..ingest.files import Article
from ..ingest.invisible import visible
from ..schemas.briefing import Skipped

SHINGLE_WORDS = 5
NEAR_DUPLICATE = 0.8
_TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src"}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WORD = re.compile(r"\w+")


def canonical_url(url: str) -> str:
    """The URL with the differences that do not change the page removed."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING
    ]
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def words(text: str) -> list[str]:
    """Case-folded words: the unit both dedupe and grouping compare. Articles arrive with
    their invisible characters removed; the joiners a script may keep go too, so a copy
    differing only in them still matches."""
    folded = visible(unicodedata.normalize("NFKC", text), joiners=False).casefold()
    return _WORD.findall(folded)


def content_hash(text: str) -> str:
    """Hash of the words alone, so whitespace and case changes do not hide a copy."""
    return hashlib.sha256(" ".join(words(text)).encode("utf-8")).hexdigest()


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """Overlapping k-word runs; a text shorter than k words is one shingle."""
    w = words(text)
    if len(w) <= k:
        return {tuple(w)} if w else set()
    return {tuple(w[i : i + k]) for i in range(len(w) - k + 1)}


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def article_keys(article: Article) -> list[str]:
    """Keys that identify an article across runs: its canonical URL (if any) and content."""
    keys = [f"text:{content_hash(article.text)}"]
    if article.url:
        keys.append(f"url:{canonical_url(article.url)}")
    return keys


def dedupe(
    articles: Sequence[Article], threshold: float = NEAR_DUPLICATE
) -> tuple[list[Article], list[Skipped]]:
    """Keep the first of each set of duplicates (input order); report the others."""
    kept: list[Article] = []
    kept_shingles: list[set[tuple[str, ...]]] = []
    first_by_key: dict[str, str] = {}
    dropped: list[Skipped] = []
    for article in articles:
        keys = article_keys(article)
        same = next((first_by_key[k] for k in keys if k in first_by_key), None)
        if same is not None:
            kind = "same page" if article.url and keys[-1] in first_by_key else "same text"
            dropped.append(Skipped(path=article.path, reason=f"duplicate ({kind}) of {same}"))
            continue
        sh = shingles(article.text)
        near = next(
            (kept[i] for i, other in enumerate(kept_shingles) if jaccard(sh, other) >= threshold),
            None,
        )
        if near is not None:
            dropped.append(Skipped(path=article.path, reason=f"near-duplicate of {near.path}"))
            continue
        kept.append(article)
        kept_shingles.append(sh)
        for k in keys:
            first_by_key[k] = article.path
    return kept, dropped
