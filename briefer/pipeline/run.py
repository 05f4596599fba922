"""Run the briefing steps on a set of articles.

`brief` ingests files and folders; `brief_articles` takes articles already ingested (files,
feeds, pages). More articles than one briefing takes (`settings.max_articles`) is an error before
anything else is done. Each article is cleaned and counted, and one over the article limit is
skipped with its reason. The model calls then go in three rounds, at most
`settings.concurrency` at a time (one at a time, in a fixed order, on the embedded server):

1. analyse the articles (one the model fails on, with a bad, cut or refused reply, is skipped,
   not the run), and judge the outlets' differing figures (contrast: it needs only the texts);
2. once code has aligned the facts across outlets (fact groups) and chosen the sentences the
   summary restates: the framing line of each outlet (unless the model is too small to be
   asked, `ModelInfo.writes_framing`), and the summary draft;
3. the one re-ask for the sentences code rejects (else the outlet's own sentence stands in).

Then: rank the takeaways, compute each outlet's coverage, flag doubtful numbers and
citations, and assemble the Briefing with its run record (calls, tokens, cost, skipped files,
warnings). Replies are reused from and stored in the call cache of `settings.home` (unless
`settings.cache` is off), and so are token counts: a run whose calls are all cached loads
neither the openai SDK nor the tokenizer. What the same run would cost, with no model call, is
worked out in `estimate`.

The library never prints: progress goes through a callback, warnings into the run record.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from ..checks import prose
from ..checks.verify import Verifier
from ..errors import NoArticlesError, RecoverableModelError
from ..ingest.files import Article, ingest
from ..model.cache import CallCache, store_path
from ..model.llm import LLM, build_client
from ..model.modeltable import lookup
from ..model.tokens import TokenCounter
from ..schemas.briefing import (
    BriefContradiction,
    Briefing,
    Cited,
    OutletComparison,
    QuotedSource,
    RunMeta,
    Skipped,
    SourceRef,
    Takeaway,
    Verification,
)
from ..schemas.replies import ArticleAnalysis, GroupSentence, Synthesis
from ..settings import Settings
from ..story.align import FactGroup, Source, align, claim_kind, fact_sentences
from ..story.analysis import Prepared, analyse_article, analyse_budget
from ..story.contrast import contrast
from ..story.framing import Framing, framings
from ..story.lead import lead_sentence
from ..story.loaded import loaded_in_text
from ..story.outlets import Profile, coverage, profiles
from ..story.quoted import quoted_people
from ..story.synthesis import (
    SYNTH_MAX_TOKENS,
    Problem,
    Refix,
    Slot,
    Written,
    accept,
    by_outlet,
    fix_messages,
    pick,
    write,
)
from ..story.takeaways import takeaways
from ..text.voice import Voice, voice
from .prepare import check_count, counter_for, prepare_articles, within_limit
from .record import Clock, run_meta

if TYPE_CHECKING:
    import httpx2

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Analysed:
    """An article the model analysed, with its analysis (its quotes verified)."""

    prepared: Prepared
    analysis: ArticleAnalysis

    @property
    def label(self) -> str:
        return self.prepared.label


def _silent(step: str, done: int, total: int) -> None:
    del step, done, total


@contextlib.contextmanager
def _calls(concurrency: int) -> Iterator[ThreadPoolExecutor]:
    """The pool a run's model calls share, at most `concurrency` at a time.

    On Ctrl-C or a failed endpoint, calls not started are dropped and the run stops now. A call
    in flight is not waited for: it ends on its own (its reply still cached) or fails at once
    when the embedded server is stopped on the way out."""
    pool = ThreadPoolExecutor(max_workers=concurrency)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


@dataclass
class RunContext:
    """What every step of one run shares: the model (and the run's warnings, given once each
    through `Usage.warn`), the progress callback, and, once the articles are analysed, the
    verifier and its report. Every count the steps add to the report goes through a method
    here, so what each count means is written in one place."""

    llm: LLM
    progress: ProgressFn
    _verifier: Verifier | None = None

    def warn(self, *messages: str) -> None:
        self.llm.usage.warn(*messages)

    def verify(self, texts_by_label: dict[str, str]) -> Verifier:
        """Start counting over the articles analysed (by label, their texts)."""
        self._verifier = Verifier(texts_by_label)
        return self._verifier

    @property
    def verifier(self) -> Verifier:
        assert self._verifier is not None, "the verifier comes with the analyses"
        return self._verifier

    @property
    def report(self) -> Verification:
        return self.verifier.report

    def reasked(self, n: int) -> None:
        """`n` summary sentences code rejected were sent back to the model."""
        self.report.sentence_reasks += n

    def dropped(self, n: int) -> None:
        """`n` items were left out of the briefing."""
        self.report.items_dropped += n

    def judged(self, n: int) -> None:
        """The contrast step judged `n` cross-outlet figure pairs."""
        self.report.contradiction_candidates = n


def _analyse_all(
    run: RunContext,
    counter: TokenCounter,
    prepared: list[Prepared],
    pool: ThreadPoolExecutor,
) -> tuple[list[Analysed], list[Skipped]]:
    llm = run.llm
    budget = analyse_budget(llm.info, counter)
    results: list[Analysed] = []
    skipped: list[Skipped] = []
    futures: list[tuple[Prepared, Future[ArticleAnalysis]]] = [
        (p, pool.submit(analyse_article, llm, counter, p, budget)) for p in prepared
    ]
    for done, (p, fut) in enumerate(futures, start=1):
        # A model failure skips the article; anything else (endpoint down) stops the run.
        try:
            results.append(Analysed(p, fut.result()))
        except RecoverableModelError as exc:
            skipped.append(Skipped(path=p.article.path, reason=f"analysis failed: {exc}"))
        run.progress("analyse", done, len(prepared))
    return results, skipped


def _analyse_step(
    run: RunContext,
    counter: TokenCounter,
    prepared: list[Prepared],
    pool: ThreadPoolExecutor,
) -> tuple[list[Analysed], list[Skipped]]:
    """Every article analysed (its quotes verified), and the ones whose analysis failed; the
    run's verifier counts from here on. No analysis left is an error."""
    analysed, failed = _analyse_all(run, counter, prepared, pool)
    if not analysed:
        raise NoArticlesError(
            f"Every article's analysis failed ({failed[0].reason}); try a larger model."
        )
    verifier = run.verify({x.label: x.prepared.text for x in analysed})
    verified = [Analysed(x.prepared, verifier.analysis(x.label, x.analysis)) for x in analysed]
    return verified, failed


class StoryFacts(BaseModel):
    """What code knows of the story before the model writes: the fact groups, each outlet's
    lead and whether it is an opinion piece."""

    groups: list[FactGroup]
    leads: dict[str, str]  # label -> lead sentence
    opinion: dict[str, bool]  # label -> opinion piece


def _story_facts(analysed: list[Analysed], voices: dict[str, Voice]) -> StoryFacts:
    """Each outlet's lead and kind, and the fact groups aligned across outlets."""
    opinion = {
        x.label: x.analysis.genre == "opinion" or voices[x.label].first_person for x in analysed
    }
    leads = {x.label: lead_sentence(x.prepared.text, x.prepared.article.title) for x in analysed}
    sources = [
        Source(
            label=x.label,
            text=x.prepared.text,
            facts=x.analysis.facts,
            lead=leads[x.label],
            opinion_piece=opinion[x.label],
        )
        for x in analysed
    ]
    return StoryFacts(groups=align(sources), leads=leads, opinion=opinion)


def _draft(run: RunContext, summary: list[Slot], extra: list[Slot]) -> Synthesis:
    """The model's sentences; if its reply fails, none (each slot falls back to its own)."""
    try:
        return write(run.llm, summary, extra)
    except RecoverableModelError as exc:
        run.warn(f"Writing the summary failed ({exc}); the outlets' sentences stand in.")
        return Synthesis(headline="", sentences=[], takeaways=[])


def _refix(run: RunContext, groups: list[Slot], headline: str) -> Refix:
    def refix(problems: list[Problem]) -> list[GroupSentence]:
        run.reasked(len(problems))
        run.warn(*(f"summary sentence for {p.group} re-asked: {p.reason}" for p in problems))
        asked = [g for g in groups if g.id in {p.group for p in problems}]
        system, user = fix_messages(asked, problems, headline)
        try:
            return run.llm.call(
                "synthesise-fix", system, user, Synthesis, SYNTH_MAX_TOKENS
            ).sentences
        except RecoverableModelError as exc:
            run.warn(f"Re-asking the summary failed: {exc}")
            return []

    return refix


def _cited(
    run: RunContext, text: str, labels: list[str], evidence: dict[str, str], ids: dict[str, str]
) -> Cited:
    """A sentence with its citations, its flags and each cited outlet's sentence of it."""
    return Cited(
        text=text,
        citations=[ids[x] for x in labels],
        flags=run.verifier.claim(text, labels),
        evidence={ids[x]: evidence[x] for x in labels if x in evidence},
    )


def _evidence(w: Written) -> dict[str, str]:
    """Each cited outlet's sentence of a summary sentence: the one it copies when it stands in
    verbatim, else those it was written from, else the group's best."""
    own = [m for m in w.slot.shown if m.sentence == w.text]
    return by_outlet([w.slot.group], [*own, *w.slot.shown])


def _by_group(written: list[Written]) -> dict[str, str]:
    """Each aligned group's summary sentence, by group id (its first, when it has several)."""
    out: dict[str, str] = {}
    for w in written:
        out.setdefault(w.slot.group.id, w.text)
    return out


@dataclass(frozen=True)
class _Written:
    """What the write step gives the briefing: the headline ('' when the model's cannot
    stand), the summary, the ranked takeaways, and each group's summary sentence by group id."""

    headline: str
    summary: list[Cited]
    takeaways: list[Takeaway]
    by_group: dict[str, str]


def _takeaways_step(
    run: RunContext,
    draft: Synthesis,
    slots: tuple[list[Slot], list[Slot]],
    written: list[Written],
    contradictions: list[BriefContradiction],
    analysed: list[Analysed],
) -> list[Takeaway]:
    """The draft's takeaways that pass, the contradictions, and spare groups to top them up;
    ranked, with their citations."""
    summary_groups, extra = slots
    ids = {x.label: x.prepared.article.id for x in analysed}
    labels_of = {x.prepared.article.id: x.label for x in analysed}
    points, notes = takeaways(
        draft.takeaways,
        offered=[*summary_groups, *extra],
        spare=extra,
        summary=[w.text for w in written],
        contradictions=[(c, [labels_of[s.article_id] for s in c.sides]) for c in contradictions],
        texts=run.verifier.texts,
    )
    run.warn(*notes)
    return [
        Takeaway(rank=i, **_cited(run, t.text, t.labels, t.evidence, ids).model_dump())
        for i, t in enumerate(points, start=1)
    ]


def _write_step(
    run: RunContext,
    slots: tuple[list[Slot], list[Slot]],
    draft_job: Future[Synthesis],
    analysed: list[Analysed],
    contradictions: list[BriefContradiction],
) -> _Written:
    """Headline, summary and takeaways from the model's draft of `pick`'s slots (re-asking for
    what code rejects); and the summary sentence of each group, by group id."""
    summary_groups, _ = slots
    draft = draft_job.result()
    run.progress("synthesise", 1, 2)
    written, dropped = accept(
        summary_groups,
        draft.sentences,
        run.verifier.texts,
        _refix(run, summary_groups, draft.headline),
    )
    run.dropped(dropped)
    ids = {x.label: x.prepared.article.id for x in analysed}
    summary = [_cited(run, w.text, w.slot.labels, _evidence(w), ids) for w in written]
    ranked = _takeaways_step(run, draft, slots, written, contradictions, analysed)
    run.progress("synthesise", 2, 2)
    headline = draft.headline.strip()
    if prose.meta(headline) or prose.boilerplate(headline):
        headline = ""  # the first article's title stands in
    return _Written(headline, summary, ranked, _by_group(written))


def _contrast(run: RunContext, prepared: list[Prepared]) -> tuple[list[BriefContradiction], int]:
    """The outlets' figures that disagree, judged in one call; none if that call fails."""
    try:
        return contrast(run.llm, prepared)
    except RecoverableModelError as exc:
        run.warn(f"Judging the outlets' differing figures failed ({exc}); none shown.")
        return [], 0


def _contrast_step(
    run: RunContext, job: Future[tuple[list[BriefContradiction], int]], analysed: list[Analysed]
) -> list[BriefContradiction]:
    """The contradictions judged alongside the analyses, between articles that were analysed."""
    found, judged = job.result()
    run.progress("contrast", 1, 1)
    run.judged(judged)
    kept = {x.prepared.article.id for x in analysed}
    return [c for c in found if all(s.article_id in kept for s in c.sides)]


def _claims(a: ArticleAnalysis, text: str, opinion_piece: bool) -> Counter[str]:
    """Claim kinds; in an opinion piece every claim whose sentence does not attribute it to
    someone (a quotation mark or a speech verb) is the writer's."""
    kinds: Counter[str] = Counter()
    for f, sentence in zip(a.facts, fact_sentences(a.facts, text), strict=True):
        kinds[claim_kind(f.kind, sentence or f.quote, opinion_piece)] += 1
    return kinds


def _comparison(
    x: Analysed, profile: Profile, framing: Framing, v: Voice, quotes: list[QuotedSource]
) -> OutletComparison:
    """How one outlet told the story: computed coverage, quotes and voice, the model's line."""
    p, a = x.prepared, x.analysis
    kinds = _claims(a, p.text, profile.opinion_piece)
    total = sum(kinds.values())
    tone = "opinionated" if profile.opinion_piece and a.tone == "neutral" else a.tone
    return OutletComparison(
        article_id=p.article.id,
        label=p.label,
        outlet=p.article.outlet,
        title=p.article.title,
        genre=a.genre,
        tone=tone,
        framing=framing.text,
        framing_by_model=framing.by_model,
        lead=profile.lead,
        only_here=profile.only_here,
        omissions=profile.omissions,
        quoted_sources=quotes,
        loaded_wording=loaded_in_text(a.loaded_wording, p.text),
        claims={str(k): n for k, n in kinds.items()},
        opinion_share=round(kinds["opinion"] / total, 3) if total else 0.0,
        first_person_markers=v.markers,
        voice_examples=v.examples,
        opinion_piece=profile.opinion_piece,
    )


def _profiles(
    analysed: list[Analysed], story: StoryFacts, written: dict[str, str]
) -> list[Profile]:
    names = {x.label: x.prepared.article.outlet for x in analysed}
    titles = {x.label: x.prepared.article.title for x in analysed}
    return profiles(story.leads, titles, names, story.opinion, story.groups, written)


def _framing(run: RunContext, analysed: list[Analysed], story: StoryFacts) -> dict[str, Framing]:
    """Each outlet's framing line, asked from its profile in the outlets' own sentences (so it
    is asked alongside the summary, not after it)."""
    lines, notes = framings(run.llm, _profiles(analysed, story, {}))
    run.warn(*notes)
    return lines


def _outlets_step(
    run: RunContext,
    analysed: list[Analysed],
    story: StoryFacts,
    written: dict[str, str],
    voices: dict[str, Voice],
    lines: dict[str, Framing],
) -> list[OutletComparison]:
    """Each outlet's comparison: computed coverage and quotes, the model's framing line."""
    found = _profiles(analysed, story, written)
    return [
        _comparison(
            x,
            prof,
            lines[x.label],
            voices[x.label],
            run.verifier.quotes(x.label, quoted_people(x.prepared.text)),
        )
        for x, prof in zip(analysed, found, strict=True)
    ]


def _source(p: Prepared) -> SourceRef:
    a = p.article
    return SourceRef(
        id=a.id, label=p.label, outlet=a.outlet, title=a.title, path=a.path, url=a.url, text=p.text
    )


def brief(
    paths: Sequence[Path],
    settings: Settings,
    *,
    manifest: Path | None = None,
    http_client: httpx2.Client | None = None,
    progress: ProgressFn | None = None,
) -> Briefing:
    """Produce a verified Briefing of the articles under `paths`."""
    result = ingest(paths, manifest, settings.max_articles)
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
    clock = Clock()
    info = lookup(settings.model, settings.context_window)
    if not articles:
        raise NoArticlesError("No articles to brief.")
    check_count(articles, settings.max_articles)
    cache = CallCache(store_path(settings.home)) if settings.cache else None
    counter = counter_for(info, cache)
    try:
        prepared, too_long = within_limit(
            prepare_articles(articles, counter), settings.max_article_tokens
        )
        llm = LLM(settings, info, lambda: build_client(settings, http_client), cache, counter)
        run = RunContext(llm, progress or _silent)
        # A client briefer built is closed at the end (its sockets); a caller's http client
        # stays the caller's. None is built when every call is cached.
        with contextlib.closing(llm) if http_client is None else contextlib.nullcontext(llm):
            done = _brief(run, counter, prepared)
    finally:
        if cache is not None:
            cache.save_token_counts(info.encoding, counter.learned)
    if cache is not None:
        run.warn(*cache.take_warnings())  # counts a read-only cache could not store
    record = run_meta(settings, llm, prepared, [*skipped, *too_long, *done.failed], clock)
    return done.briefing(record)


@dataclass(frozen=True)
class _Done:
    """What the model's rounds made of the articles analysed, for the briefing (its run record
    still to come), and the articles whose analysis failed."""

    analysed: list[Analysed]
    story: StoryFacts
    written: _Written
    outlets: list[OutletComparison]
    contradictions: list[BriefContradiction]
    verification: Verification
    failed: list[Skipped]

    def briefing(self, run: RunMeta) -> Briefing:
        ids = {x.label: x.prepared.article.id for x in self.analysed}
        return Briefing(
            title=self.written.headline or self.analysed[0].prepared.article.title,
            summary=self.written.summary,
            outlets=self.outlets,
            contradictions=self.contradictions,
            takeaways=self.written.takeaways,
            sources=[_source(x.prepared) for x in self.analysed],
            verification=self.verification,
            run=run,
            coverage=coverage(self.story.groups, self.written.by_group, ids),
        )


def _brief(run: RunContext, counter: TokenCounter, prepared: list[Prepared]) -> _Done:
    """The model's calls in three rounds, and the briefing (its run record to be filled in)."""
    with _calls(run.llm.settings.concurrency) as pool:
        # 1: the analyses, and the contrast (it needs only the texts).
        contrast_job = pool.submit(_contrast, run, prepared)
        analysed, failed = _analyse_step(run, counter, prepared, pool)
        voices = {x.label: voice(x.prepared.text) for x in analysed}
        story = _story_facts(analysed, voices)
        # 2: the framing lines and the summary draft; 3: the re-ask for rejected sentences.
        framing_job = pool.submit(_framing, run, analysed, story)
        slots = pick(story.groups, len(analysed))
        draft_job = pool.submit(_draft, run, *slots)
        contradictions = _contrast_step(run, contrast_job, analysed)
        run.progress("synthesise", 0, 2)
        written = _write_step(run, slots, draft_job, analysed, contradictions)
        outlets = _outlets_step(
            run, analysed, story, written.by_group, voices, framing_job.result()
        )
    return _Done(analysed, story, written, outlets, contradictions, run.report, failed)
