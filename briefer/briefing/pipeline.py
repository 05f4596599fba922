"""Run the briefing steps on a set of articles, or work out what that run would cost.

`brief` ingests files and folders; `brief_articles` takes articles already ingested (files,
feeds, pages). Each article is cleaned and counted, and one over the article limit is skipped
with its reason. Then: analyse the articles in parallel (one the model fails on, with a bad, cut
or refused reply, is skipped, not the run); keep only the quotes found in their article;
synthesise one briefing; re-ask once for numbers no cited article states; align the outlets'
figures (contrast); drop sentences without a valid citation and flag the doubtful ones; assemble
the Briefing with its run record (calls, tokens, cost, skipped files, warnings). Replies are
reused from and stored in the call cache of `settings.home` (unless `settings.cache` is off).
`estimate` gives the expected and worst-case calls, tokens and cost of the same run, with no
model call.

The library never prints: progress goes through a callback, warnings into the run record.
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

from ..checks.verify import Verifier
from ..checks.voice import Voice, voice
from ..errors import NoArticlesError, RecoverableModelError
from ..ingest.clean import clean_text
from ..ingest.files import Article, ingest
from ..model import prompts
from ..model.cache import CallCache, store_path
from ..model.llm import LLM, build_client
from ..model.modeltable import ModelInfo, lookup
from ..model.tokens import TokenCounter, get_encoding
from ..schemas import (
    SENTENCE_CHARS,
    ArticleAnalysis,
    BriefContradiction,
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
    return TokenCounter(get_encoding(info.encoding))


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


Analysed = list[tuple[Prepared, ArticleAnalysis]]


def _silent(step: str, done: int, total: int) -> None:
    del step, done, total


def _analyse_all(
    llm: LLM,
    counter: TokenCounter,
    prepared: list[Prepared],
    concurrency: int,
    progress: ProgressFn,
) -> tuple[Analysed, list[Skipped]]:
    budget = analyse_budget(llm.info, counter)
    results: Analysed = []
    skipped: list[Skipped] = []
    pool = ThreadPoolExecutor(max_workers=concurrency)
    futures: list[tuple[Prepared, Future[ArticleAnalysis]]] = [
        (p, pool.submit(analyse_article, llm, counter, p, budget)) for p in prepared
    ]
    try:
        for done, (p, fut) in enumerate(futures, start=1):
            # A model failure skips the article; anything else (endpoint down) stops the run.
            try:
                results.append((p, fut.result()))
            except RecoverableModelError as exc:
                skipped.append(Skipped(path=p.article.path, reason=f"analysis failed: {exc}"))
            progress("analyse", done, len(prepared))
    except BaseException:
        # Ctrl-C or a failed endpoint: calls not started are dropped and the run stops now. A
        # call in flight is not waited for here: it ends on its own (its reply still cached) or
        # fails at once when the embedded server is stopped on the way out.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results, skipped


def _analyse_step(
    llm: LLM,
    counter: TokenCounter,
    prepared: list[Prepared],
    concurrency: int,
    progress: ProgressFn,
) -> tuple[Analysed, list[Skipped], Verifier]:
    """Every article analysed (its quotes verified), the ones whose analysis failed, and the
    verifier that counts over the rest of the run. No analysis left is an error."""
    analysed, failed = _analyse_all(llm, counter, prepared, concurrency, progress)
    if not analysed:
        raise NoArticlesError(
            f"Every article's analysis failed ({failed[0].reason}); try a larger model."
        )
    verifier = Verifier({p.label: p.text for p, _ in analysed})
    return [(p, verifier.analysis(p.label, a)) for p, a in analysed], failed, verifier


def mark_cut(text: str, limit: int) -> str:
    """A sentence that ran into its schema length bound ends mid-phrase: say so with '…'
    rather than pass it off as complete."""
    text = text.rstrip()
    if len(text) >= limit - 2 and not text.endswith((".", "!", "?", '"', "”", "'", ")")):
        return text + " …"
    return text


def _fix_numbers(
    llm: LLM,
    draft: Synthesis,
    problems: list[tuple[str, list[str]]],
    analysed: Analysed,
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


def _synthesise_step(
    llm: LLM,
    counter: TokenCounter,
    analysed: Analysed,
    voices: dict[str, Voice],
    verifier: Verifier,
    progress: ProgressFn,
) -> Synthesis:
    """The draft, re-asked once for numbers no cited article states, then verified."""
    progress("synthesise", 0, 2)
    blocks = [(p.label, render_analysis(p, a, voices[p.label].first_person)) for p, a in analysed]
    draft = synthesise(llm, counter, llm.info, blocks)
    progress("synthesise", 1, 2)
    if problems := verifier.number_problems(draft):
        draft = _fix_numbers(llm, draft, problems, analysed, verifier)
    synthesis = verifier.synthesis(draft)
    progress("synthesise", 2, 2)
    return synthesis


def _contrast_step(
    llm: LLM, analysed: Analysed, verifier: Verifier, progress: ProgressFn
) -> list[BriefContradiction]:
    """The outlets' figures that disagree, judged in one call (none when no pair is found)."""
    progress("contrast", 0, 1)
    contradictions, judged = contrast(llm, [p for p, _ in analysed])
    verifier.report.contradiction_candidates = judged
    progress("contrast", 1, 1)
    return contradictions


def _comparison(
    p: Prepared, a: ArticleAnalysis, synthesis: Synthesis, v: Voice
) -> OutletComparison:
    """How one outlet told the story: its genre, tone, framing, claims and own voice."""
    kinds = Counter(f.kind for f in a.facts)
    total = sum(kinds.values())
    return OutletComparison(
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
        first_person_markers=v.markers,
        voice_examples=v.examples,
        opinion_piece=a.genre == "opinion" or v.first_person,
    )


def _source(p: Prepared) -> SourceRef:
    a = p.article
    return SourceRef(id=a.id, label=p.label, outlet=a.outlet, title=a.title, path=a.path, url=a.url)


def _assemble(
    analysed: Analysed,
    synthesis: Synthesis,
    contradictions: list[BriefContradiction],
    verifier: Verifier,
    voices: dict[str, Voice],
    run: RunMeta,
) -> Briefing:
    """The briefing: cited sentences carry article ids and their flags; one comparison and one
    source per article that was analysed."""
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
    return Briefing(
        title=synthesis.headline.strip() or analysed[0][0].article.title,
        summary=summary,
        outlets=[_comparison(p, a, synthesis, voices[p.label]) for p, a in analysed],
        contradictions=contradictions,
        takeaways=takeaways,
        sources=[_source(p) for p, _ in analysed],
        verification=verifier.report,
        run=run,
    )


class _Clock:
    """When a run started, for its record."""

    def __init__(self) -> None:
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.t0 = time.monotonic()

    def seconds(self) -> float:
        return round(time.monotonic() - self.t0, 2)


def _run_meta(
    settings: Settings,
    llm: LLM,
    prepared: list[Prepared],
    skipped: list[Skipped],
    clock: _Clock,
) -> RunMeta:
    """The run record: model and endpoint, tokens before and after cleaning, calls and cost per
    step, what was skipped and every warning (how files were read, what the model layer saw)."""
    steps = list(llm.steps.values())
    pt = sum(s.prompt_tokens for s in steps)
    ct = sum(s.completion_tokens for s in steps)
    return RunMeta(
        model=settings.model,
        endpoint=settings.endpoint(),
        structured_output=llm.mode,
        prompt_version=prompts.version(),
        started_at=clock.started,
        wall_seconds=clock.seconds(),
        tokens_before_clean=sum(p.tokens_before for p in prepared),
        tokens_after_clean=sum(p.tokens_after for p in prepared),
        model_calls=sum(s.calls for s in steps),
        cached_calls=sum(s.cached_calls for s in steps),
        prompt_tokens=pt,
        completion_tokens=ct,
        cost_usd=llm.info.cost(pt, ct),
        steps=steps,
        skipped=skipped,
        warnings=[*_encoding_notes(prepared), *llm.warnings],
    )


def _encoding_notes(prepared: Sequence[Prepared]) -> list[str]:
    """How the files that were not plain UTF-8 were read."""
    return [n for p in prepared if (n := p.article.encoding_note())]


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
    `progress(step, done, total)` hears of each step: analyse, synthesise, contrast.
    """
    clock = _Clock()
    info = lookup(settings.model, settings.context_window)
    counter = counter_for(info)
    if not articles:
        raise NoArticlesError("No articles to brief.")
    prepared, too_long = within_limit(
        prepare_articles(articles, counter), settings.max_article_tokens
    )
    report = progress or _silent
    cache = CallCache(store_path(settings.home)) if settings.cache else None
    client = build_client(settings, http_client)
    # A client briefer built is closed here (its sockets); a caller's client stays the caller's.
    with contextlib.closing(client) if http_client is None else contextlib.nullcontext(client):
        llm = LLM(settings, info, client, cache, counter)
        analysed, failed, verifier = _analyse_step(
            llm, counter, prepared, settings.concurrency, report
        )
        voices = {p.label: voice(p.text) for p, _ in analysed}
        synthesis = _synthesise_step(llm, counter, analysed, voices, verifier, report)
        contradictions = _contrast_step(llm, analysed, verifier, report)
        run = _run_meta(settings, llm, prepared, [*skipped, *too_long, *failed], clock)
        return _assemble(analysed, synthesis, contradictions, verifier, voices, run)


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
        warnings=_encoding_notes(prepared),
        tokens_before_clean=sum(p.tokens_before for p in prepared),
        tokens_after_clean=sum(p.tokens_after for p in prepared),
        steps=steps,
        bound=bound,
        expected_cost_usd=_cost(info, steps),
        max_cost_usd=_cost(info, bound),
    )
