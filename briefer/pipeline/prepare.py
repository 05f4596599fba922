"""Prepare a run's articles: read them, clean them, count their tokens, refuse too many and skip
any one over the article limit, labelling what is left A1, A2, ... in input order."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import NoArticlesError
from ..ingest.clean import clean_text
from ..ingest.files import Article, ingest, outlet_notes, too_many
from ..model.cache import CallCache
from ..model.modeltable import ModelInfo
from ..model.tokens import TokenCounter, get_encoding
from ..schemas.briefing import Skipped
from ..story.analysis import Prepared


def counter_for(info: ModelInfo, cache: CallCache | None = None) -> TokenCounter:
    """The model's token counter; with a call cache, it knows the counts of earlier runs and
    loads the tokenizer only for a text it has not counted before."""
    known = cache.token_counts(info.encoding) if cache is not None else None
    return TokenCounter(lambda: get_encoding(info.encoding), known)


def prepare(
    paths: Sequence[Path],
    counter: TokenCounter,
    manifest: Path | None = None,
    max_articles: int | None = None,
) -> tuple[list[Prepared], list[Skipped]]:
    """Ingest and clean every article; label them A1, A2, ... in input order."""
    result = ingest(paths, manifest, max_articles)
    return prepare_articles(result.articles, counter), result.skipped


def prepare_articles(articles: Sequence[Article], counter: TokenCounter) -> list[Prepared]:
    """Clean already-ingested articles (files, feeds, pages); label them A1, A2, ... in order."""
    prepared = []
    for i, article in enumerate(articles, start=1):
        cleaned = clean_text(article.text)
        prepared.append(
            Prepared(
                article=article,
                label=f"A{i}",
                text=cleaned.text,
                tokens_before=counter.count(article.text),
                tokens_after=counter.count(cleaned.text),
                removed=cleaned.removed,
            )
        )
    return prepared


def check_count(articles: Sequence[Article], limit: int) -> None:
    """Refuse (InputError) more articles than one briefing takes, before anything is paid for:
    an outlet comparison of hundreds of articles is not a briefing, but a wrong folder."""
    if len(articles) > limit:
        raise too_many(f"{len(articles):,} articles", limit)


def _too_long(tokens: int, limit: int) -> str:
    return (
        f"{tokens:,} tokens after cleaning, over the {limit:,}-token article limit; raise it "
        "with --max-article-tokens (max_article_tokens in the config)"
    )


def within_limit(prepared: Sequence[Prepared], limit: int) -> tuple[list[Prepared], list[Skipped]]:
    """Articles of at most `limit` tokens, labelled A1, A2, ... again; the rest as Skipped.

    One oversized article (a 5 MB text file is over a million tokens, 150 calls) is left out
    with its reason instead of being paid for; it never sinks the others. None left is an error.
    """
    kept = [p for p in prepared if p.tokens_after <= limit]
    skipped = [
        Skipped(path=p.article.path, reason=_too_long(p.tokens_after, limit))
        for p in prepared
        if p.tokens_after > limit
    ]
    if not kept and skipped:
        more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
        raise NoArticlesError(f"No usable articles: {skipped[0].path}: {skipped[0].reason}{more}.")
    relabelled = [p.model_copy(update={"label": f"A{i}"}) for i, p in enumerate(kept, start=1)]
    return relabelled, skipped


def encoding_notes(prepared: Sequence[Prepared]) -> list[str]:
    """How the files that were not plain UTF-8 were read, and which had no outlet named."""
    notes = [n for p in prepared if (n := p.article.encoding_note())]
    return [*notes, *outlet_notes([p.article for p in prepared])]
