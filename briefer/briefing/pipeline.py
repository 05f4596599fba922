"""The briefing pipeline, one way: ingest -> clean -> chunk -> analyse -> synthesise ->
verify -> assemble. The library never prints; progress goes through a callback.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx2
from pydantic import BaseModel

from .. import settings as settings_mod
from ..checks.verify import Verifier
from ..checks.voice import Voice, voice
from ..errors import NoArticlesError, RecoverableModelError
from ..ingest.clean import clean_text
from ..ingest.files import Article, ingest
from ..model import prompts
from ..model.cache import CallCache
from ..model.llm import LLM, build_client
from ..model.modeltable import ModelInfo, lookup
from ..model.tokens import TokenCounter, get_encoding
from ..schemas import (
    SENTENCE_CHARS,
    ArticleAnalysis,
    Briefing,
    Cited,
    OutletComparison,
    RunMeta,
    Skipped,
    SourceRef,
    Synthesis,
    Takeaway,
)
from ..settings import Settings
from .analysis import (
    ANALYSE_MAX_TOKENS,
    Prepared,
    analyse_article,
    analyse_budget,
    analyse_messages,
    render_analysis,
)
from .bound import StepEstimate, upper_bound
from .chunking import chunk_text
from .contrast import CONTRAST_MAX_TOKENS, candidates, contrast, contrast_messages
from .synthesis import SYNTH_MAX_TOKENS, fix_numbers, synth_messages, synthesise

ProgressFn = Callable[[str, int, int], None]


def counter_for(info: ModelInfo) -> TokenCounter:
    return TokenCounter(get_encoding(info.encoding, settings_mod.cache_dir() / "tiktoken"))


def prepare(
    paths: Sequence[Path], counter: TokenCounter, manifest: Path | None = None
) -> tuple[list[Prepared], list[Skipped]]:
    """Ingest and clean every article; label them A1, A2, ... in input order."""
    result = ingest(paths, manifest)
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


def _analyse_all(
    llm: LLM,
    counter: TokenCounter,
    prepared: list[Prepared],
    concurrency: int,
    progress: ProgressFn | None,
) -> tuple[list[tuple[Prepared, ArticleAnalysis]], list[Skipped]]:
    budget = analyse_budget(llm.info, counter)
    done = 0
    results: list[tuple[Prepared, ArticleAnalysis]] = []
    skipped: list[Skipped] = []
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures: list[tuple[Prepared, Future[ArticleAnalysis]]] = [
            (p, pool.submit(analyse_article, llm, counter, p, budget)) for p in prepared
        ]
        try:
            for p, fut in futures:
                # A model failure skips the article; anything else (endpoint down) stops the run.
                try:
                    results.append((p, fut.result()))
                except RecoverableModelError as exc:
                    skipped.append(Skipped(path=p.article.path, reason=f"analysis failed: {exc}"))
                done += 1
                if progress:
                    progress("analyse", done, len(prepared))
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results, skipped


def mark_cut(text: str, limit: int) -> str:
    """A sentence that ran into its schema length bound ends mid-phrase: say so with '…'
    rather than pass it off as complete."""
    text = text.rstrip()
    if len(text) >= limit - 2 and not text.endswith((".", "!", "?", '"', "”", "'", ")")):
        return text + " …"
    return text


def _assemble(
    analysed: list[tuple[Prepared, ArticleAnalysis]],
    synthesis: Synthesis,
    verifier: Verifier,
    voices: dict[str, Voice],
) -> tuple[list[Cited], list[Takeaway], list[OutletComparison]]:
    ids = {p.label: p.article.id for p, _ in analysed}
    summary = [
        Cited(
            text=mark_cut(s.text, SENTENCE_CHARS),
            citations=[ids[x] for x in s.sources],
            flags=verifier.claim(s.text, s.sources),
        )
        for s in synthesis.summary
    ]
    takeaways = [
        Takeaway(
            rank=i,
            text=mark_cut(t.text, SENTENCE_CHARS),
            citations=[ids[x] for x in t.sources],
            flags=verifier.claim(t.text, t.sources),
        )
        for i, t in enumerate(synthesis.takeaways, start=1)
    ]
    comparisons = []
    for p, a in analysed:
        kinds = Counter(f.kind for f in a.facts)
        total = sum(kinds.values())
        comparisons.append(
            OutletComparison(
                article_id=p.article.id,
                label=p.label,
                outlet=p.article.outlet,
                title=p.article.title,
                genre=a.genre,
                tone=a.tone,
                framing=a.framing,
                emphasis=a.emphasis,
                omissions=[o.omits for o in synthesis.omissions if o.source == p.label],
                quoted_sources=a.quoted_sources,
                loaded_wording=a.loaded_wording,
                claims={str(k): n for k, n in kinds.items()},
                opinion_share=round(kinds["opinion"] / total, 3) if total else 0.0,
                first_person_markers=voices[p.label].markers,
                voice_examples=voices[p.label].examples,
                opinion_piece=a.genre == "opinion" or voices[p.label].first_person,
            )
        )
    return summary, takeaways, comparisons


def _fix_numbers(
    llm: LLM,
    draft: Synthesis,
    problems: list[tuple[str, list[str]]],
    analysed: list[tuple[Prepared, ArticleAnalysis]],
    verifier: Verifier,
) -> Synthesis:
    """One re-ask for unsupported numbers; if it fails, keep the draft (its numbers get flagged)."""
    figures = {p.label: [f"{g.value} ({g.what})" for g in a.figures] for p, a in analysed}
    verifier.report.number_reasks += 1
    try:
        fixed = fix_numbers(llm, draft, problems, figures)
    except RecoverableModelError as exc:
        llm.warnings.append(f"Re-asking the synthesis to fix its numbers failed: {exc}")
        return draft
    # Keep whichever version states fewer unsupported numbers.
    remaining = verifier.number_problems(fixed)
    return fixed if sum(len(n) for _, n in remaining) < sum(len(n) for _, n in problems) else draft


def brief(
    paths: Sequence[Path],
    settings: Settings,
    *,
    manifest: Path | None = None,
    http_client: httpx2.Client | None = None,
    progress: ProgressFn | None = None,
) -> Briefing:
    """Produce a verified Briefing of the articles under `paths`."""
    result = ingest(paths, manifest)
    return brief_articles(
        result.articles,
        settings,
        skipped=result.skipped,
        http_client=http_client,
        progress=progress,
    )


def brief_articles(
    articles: Sequence[Article],
    settings: Settings,
    *,
    skipped: Sequence[Skipped] = (),
    http_client: httpx2.Client | None = None,
    progress: ProgressFn | None = None,
) -> Briefing:
    """Produce a verified Briefing of already-ingested articles (from files, feeds or pages).

    `skipped` are inputs that were already rejected upstream; they are reported in the run.
    """
    t0 = time.monotonic()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    info = lookup(settings.model, settings.context_window)
    counter = counter_for(info)
    if not articles:
        raise NoArticlesError("No articles to brief.")
    prepared, too_long = within_limit(
        prepare_articles(articles, counter), settings.max_article_tokens
    )
    skipped = [*skipped, *too_long]
    notes = [n for p in prepared if (n := p.article.encoding_note())]
    cache = CallCache(settings_mod.data_dir() / "cache.sqlite") if settings.cache else None
    client = build_client(settings, http_client)
    # A client briefer built is closed here (its sockets); a caller's client stays the caller's.
    with contextlib.closing(client) if http_client is None else contextlib.nullcontext(client):
        llm = LLM(settings, info, client, cache, counter)

        analysed, failed = _analyse_all(llm, counter, prepared, settings.concurrency, progress)
        skipped += failed
        if not analysed:
            raise NoArticlesError(
                f"Every article's analysis failed ({failed[0].reason}); try a larger model."
            )
        verifier = Verifier({p.label: p.text for p, _ in analysed})
        analysed = [(p, verifier.analysis(p.label, a)) for p, a in analysed]
        voices = {p.label: voice(p.text) for p, _ in analysed}

        if progress:
            progress("synthesise", 0, 3)
        blocks = [
            (p.label, render_analysis(p, a, voices[p.label].first_person)) for p, a in analysed
        ]
        draft = synthesise(llm, counter, info, blocks)
        if progress:
            progress("synthesise", 1, 3)
        if problems := verifier.number_problems(draft):
            draft = _fix_numbers(llm, draft, problems, analysed, verifier)
        synthesis = verifier.synthesis(draft)
        if progress:
            progress("synthesise", 2, 3)
        contradictions, judged = contrast(llm, [p for p, _ in analysed])
        verifier.report.contradiction_candidates = judged
        if progress:
            progress("synthesise", 3, 3)

        summary, takeaways, comparisons = _assemble(analysed, synthesis, verifier, voices)
        steps = list(llm.steps.values())
        pt = sum(s.prompt_tokens for s in steps)
        ct = sum(s.completion_tokens for s in steps)
        return Briefing(
            title=synthesis.headline.strip() or prepared[0].article.title,
            summary=summary,
            outlets=comparisons,
            contradictions=contradictions,
            takeaways=takeaways,
            sources=[
                SourceRef(
                    id=p.article.id,
                    label=p.label,
                    outlet=p.article.outlet,
                    title=p.article.title,
                    path=p.article.path,
                    url=p.article.url,
                )
                for p, _ in analysed
            ],
            verification=verifier.report,
            run=RunMeta(
                model=settings.model,
                endpoint=settings.endpoint(),
                structured_output=llm.mode,
                prompt_version=prompts.version(),
                started_at=started,
                wall_seconds=round(time.monotonic() - t0, 2),
                tokens_before_clean=sum(p.tokens_before for p in prepared),
                tokens_after_clean=sum(p.tokens_after for p in prepared),
                model_calls=sum(s.calls for s in steps),
                cached_calls=sum(s.cached_calls for s in steps),
                prompt_tokens=pt,
                completion_tokens=ct,
                cost_usd=info.cost(pt, ct),
                steps=steps,
                skipped=skipped,
                warnings=[*notes, *llm.warnings],
            ),
        )


class Estimate(BaseModel):
    """What a run will cost, worked out locally: `steps` is the expected run (one reply per
    call, each at most its output cap: no re-asks, split retries or number fix); `bound` the
    most a run can make (see briefer/briefing/bound.py); `warnings` how files were read."""

    model: str
    context_window: int
    encoding: str
    known_model: bool
    articles: int
    skipped: list[Skipped]
    warnings: list[str]
    tokens_before_clean: int
    tokens_after_clean: int
    steps: list[StepEstimate]
    bound: list[StepEstimate]
    expected_cost_usd: float | None
    max_cost_usd: float | None


# A typical analysis renders to ~500 tokens; the reduce estimate uses this (no call is made).
_ANALYSIS_TOKENS_GUESS = 500


def _expected(prepared: list[Prepared], counter: TokenCounter, budget: int) -> list[StepEstimate]:
    """One reply per call: the chunks of each article, one synthesis, the contrast if any."""
    calls = 0
    prompt_tokens = 0
    for p in prepared:
        for chunk in chunk_text(p.text, counter, budget):
            system, user = analyse_messages(p, chunk)
            calls += 1
            prompt_tokens += counter.count(system) + counter.count(user)
    labels = [p.label for p in prepared]
    system, user = synth_messages([], labels)
    synth_prompt = counter.count(system) + counter.count(user)
    synth_prompt += _ANALYSIS_TOKENS_GUESS * len(prepared)
    steps = [
        StepEstimate(
            step="analyse",
            calls=calls,
            prompt_tokens=prompt_tokens,
            max_completion_tokens=calls * ANALYSE_MAX_TOKENS,
        ),
        StepEstimate(
            step="synthesise",
            calls=1,
            prompt_tokens=synth_prompt,
            max_completion_tokens=SYNTH_MAX_TOKENS,
        ),
    ]
    if cands := candidates(prepared):
        system, user = contrast_messages(cands)
        steps.append(
            StepEstimate(
                step="contrast",
                calls=1,
                prompt_tokens=counter.count(system) + counter.count(user),
                max_completion_tokens=CONTRAST_MAX_TOKENS,
            )
        )
    return steps


def _cost(info: ModelInfo, steps: list[StepEstimate]) -> float | None:
    return info.cost(
        sum(s.prompt_tokens for s in steps), sum(s.max_completion_tokens for s in steps)
    )


def estimate(
    paths: Sequence[Path], settings: Settings, *, manifest: Path | None = None
) -> Estimate:
    """Expected and upper-bound calls, tokens and cost per step, computed with no model call.

    Articles over `settings.max_article_tokens` are skipped exactly as a run skips them.
    """
    info = lookup(settings.model, settings.context_window)
    counter = counter_for(info)
    everything, skipped = prepare(paths, counter, manifest)
    prepared, too_long = within_limit(everything, settings.max_article_tokens)
    budget = analyse_budget(info, counter)
    steps = _expected(prepared, counter, budget)
    bound = upper_bound(prepared, counter, info, budget)
    return Estimate(
        model=info.name,
        context_window=info.context_window,
        encoding=info.encoding,
        known_model=info.known,
        articles=len(prepared),
        skipped=[*skipped, *too_long],
        warnings=[n for p in prepared if (n := p.article.encoding_note())],
        tokens_before_clean=sum(p.tokens_before for p in prepared),
        tokens_after_clean=sum(p.tokens_after for p in prepared),
        steps=steps,
        bound=bound,
        expected_cost_usd=_cost(info, steps),
        max_cost_usd=_cost(info, bound),
    )
