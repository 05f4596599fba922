"""The one-off commands: brief, estimate, doctor, log and models."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..render.formats import Format
from ..settings import StructuredMode, resolve
from .common import (
    BaseUrlOpt,
    ConfigOpt,
    CtxOpt,
    MaxArticleOpt,
    MaxArticlesOpt,
    ModelOpt,
    NoCacheOpt,
    PathsArg,
    SourcesOpt,
    echo,
    note,
    notice,
    printable,
    progress_bar,
    stdout,
    warn,
    warn_skipped,
)

if TYPE_CHECKING:
    from ..pipeline.estimate import StepEstimate
    from ..schemas.briefing import Briefing


OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
]
FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="md, json or html (one self-contained page)."),
]
ConcurrencyOpt = Annotated[
    int | None, typer.Option("--concurrency", "-j", help="Model calls in flight at once.")
]
ModeOpt = Annotated[
    StructuredMode | None, typer.Option("--structured-output", help="Response format mode.")
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Sampling seed.")]
TimeoutOpt = Annotated[float | None, typer.Option("--timeout", help="Seconds per model call.")]
LocalModelOpt = Annotated[
    str | None,
    typer.Option("--local-model", help="Serve a local model: default, fast, or a .gguf path."),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Write nothing and exit 1 if any statement is unverified.")
]


def brief(
    paths: PathsArg,
    output: OutputOpt = None,
    fmt: FormatOpt = "md",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    concurrency: ConcurrencyOpt = None,
    structured_output: ModeOpt = None,
    context_window: CtxOpt = None,
    seed: SeedOpt = None,
    timeout: TimeoutOpt = None,
    no_cache: NoCacheOpt = False,
    config: ConfigOpt = None,
    sources: SourcesOpt = None,
    local_model: LocalModelOpt = None,
    strict: StrictOpt = False,
    max_article_tokens: MaxArticleOpt = None,
    max_articles: MaxArticlesOpt = None,
) -> None:
    """Brief the articles: neutral summary, outlet comparison, key takeaways."""
    from ..ingest.files import ingest
    from ..local import embedded
    from ..pipeline.run import brief_articles

    flags = {
        "model": model,
        "base_url": base_url,
        "concurrency": concurrency,
        "structured_output": structured_output,
        "context_window": context_window,
        "seed": seed,
        "timeout": timeout,
        "cache": False if no_cache else None,
        "max_article_tokens": max_article_tokens,
        "max_articles": max_articles,
    }
    settings = resolve(flags, config)
    # Read (and refuse too many) before the endpoint: a wrong folder starts no model.
    found = ingest(paths, sources, settings.max_articles)
    with (
        embedded.endpoint(settings, local_model, notify=note) as settings,
        progress_bar(lambda step: f"{step} ({settings.model})") as progress,
    ):
        briefing = brief_articles(
            found.articles, settings, skipped=found.skipped, progress=progress
        )
    warn_skipped(briefing.run.skipped)
    warn(briefing.run.warnings)
    if strict:
        _refuse_unverified(briefing)
    _publish(briefing, fmt, output)


def _refuse_unverified(briefing: Briefing) -> None:
    """--strict: list every unverified statement and exit 1 (nothing written) if there is one."""
    doubtful = briefing.unverified()
    if not doubtful:
        return
    for item in doubtful:
        notice("Unverified:", item)
    notice(
        "Error:",
        f"--strict: {len(doubtful)} unverified statements, nothing written; run without "
        "--strict to see the flagged briefing.",
        "red",
    )
    raise typer.Exit(1)


def _publish(briefing: Briefing, fmt: Format, output: Path | None) -> None:
    """The briefing as Markdown or JSON on stdout, or written to `output` with a one-line
    account of what was written."""
    from ..atomic import write_atomic
    from ..render.formats import rendered

    text = rendered(briefing, fmt)
    if output is None:
        sys.stdout.write(printable(text))  # on a terminal, as likely as not
        return
    write_atomic(output, text)
    v, r = briefing.verification, briefing.run
    note(
        f"Wrote {output}: {len(briefing.sources)} articles, quotes verified "
        f"{v.quotes_verified}/{v.quotes_total}, {r.model_calls} model calls "
        f"(+{r.cached_calls} cached), {r.wall_seconds:.1f}s."
    )


_EXPECTED = (
    "Expected run: one reply per call, each at its output cap; no re-asks, split retries or "
    "re-written summary sentences."
)
_BOUND = (
    "Upper bound: every call re-asked {reasks} times, every cut reply split and retried, the "
    "summary sentences code rejects written again."
)
_UNBILLED = "requests that fail and are retried return no reply: not billed, not counted"


def _step_table(steps: list[StepEstimate]) -> Table:
    table = Table("step", "calls", "prompt tokens", "completion tokens")
    table.columns[0].no_wrap = True
    for s in steps:
        table.add_row(s.step, str(s.calls), str(s.prompt_tokens), str(s.max_completion_tokens))
    return table


def _usd(cost: float | None) -> str:
    return f"${cost:.4f}" if cost is not None else "unknown"


def estimate(
    paths: PathsArg,
    model: ModelOpt = None,
    context_window: CtxOpt = None,
    config: ConfigOpt = None,
    sources: SourcesOpt = None,
    max_article_tokens: MaxArticleOpt = None,
    max_articles: MaxArticlesOpt = None,
) -> None:
    """Expected and upper-bound calls, tokens and cost per step, with no model call."""
    from ..model.llm import MAX_REASKS
    from ..pipeline.estimate import estimate as run

    settings = resolve(
        {
            "model": model,
            "context_window": context_window,
            "max_article_tokens": max_article_tokens,
            "max_articles": max_articles,
        },
        config,
    )
    est = run(paths, settings, manifest=sources)
    warn_skipped(est.skipped)
    warn(est.warnings)
    out = stdout()
    caveat = "" if est.known_model else " (unknown model: fallback window, no price)"
    out.print(
        printable(
            f"{est.articles} articles, {est.tokens_before_clean} tokens before cleaning, "
            f"{est.tokens_after_clean} after; model {est.model}, {est.context_window}-token "
            f"window, {est.encoding}{caveat}"
        )
    )
    out.print(_EXPECTED)
    out.print(_step_table(est.steps))
    out.print(f"Expected cost: {_usd(est.expected_cost_usd)}")
    out.print(_BOUND.format(reasks=MAX_REASKS))
    out.print(_step_table(est.bound))
    out.print(f"Upper-bound cost: {_usd(est.max_cost_usd)} ({_UNBILLED})")
    out.print("A re-run of unchanged input is served from the cache.")


def doctor(
    base_url: BaseUrlOpt = None,
    model: ModelOpt = None,
    context_window: CtxOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Check an endpoint: its models, which structured-output modes work, its context size."""
    from ..model.doctor import diagnose

    settings = resolve(
        {"base_url": base_url, "model": model, "context_window": context_window}, config
    )
    settings.require_key()
    d = diagnose(settings)
    out = stdout()
    # The endpoint's own words (model names, error details) are outside text.
    out.print(
        printable(f"Endpoint {d.endpoint}: {'reachable' if d.reachable else 'NOT reachable'}")
    )
    if d.models:
        out.print(printable(f"Models: {', '.join(d.models)}"))
    table = Table("structured output", "works", "detail")
    for m in d.modes:
        table.add_row(m.mode, "yes" if m.works else "no", printable(m.detail))
    if d.modes:
        out.print(table)
    out.print(f"Context window: {d.context_window or 'unknown (pass --context-window)'}")
    if not d.usable:
        notice("Error:", f"endpoint unusable: {d.problem}.", "red")
        raise typer.Exit(1)
    out.print(printable(f"Use: briefer brief ... {d.flags()}"))


def _columns(rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """Rows as aligned plain-text columns: nothing cut, whatever the terminal's width."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def log(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many requests to show.")] = 20,
) -> None:
    """Recent model requests, every paid attempt: outcome, tokens, time, cost."""
    from datetime import datetime

    from ..model.cache import CallCache, store_path
    from ..model.modeltable import lookup
    from ..settings import find_home

    path = store_path(find_home())
    if not path.exists():
        echo(f"No model calls recorded yet ({path}).")
        return
    store = CallCache(path)
    attempts = store.attempts(limit)
    warn(store.take_warnings())
    rows: list[tuple[str, ...]] = [
        ("when", "step", "outcome", "mode", "tokens in+out", "s", "cost", "model")
    ]
    for a in attempts:
        cost = lookup(a.model).cost(a.prompt_tokens, a.completion_tokens)
        cells = (
            datetime.fromtimestamp(a.created).strftime("%Y-%m-%d %H:%M"),
            a.step,
            a.outcome,
            a.mode,
            f"{a.prompt_tokens}+{a.completion_tokens}",
            f"{a.seconds:.1f}",
            f"${cost:.4f}" if cost is not None else "?",
            a.model,
        )
        rows.append(tuple(printable(c) for c in cells))  # as shown, so the columns align
    echo("\n".join(_columns(rows, right={4, 5, 6})))


def models() -> None:
    """List the local models the `local` extra can serve, and whether they are ready."""
    from ..local.embedded import available_models
    from ..local.models import LOCAL_MODELS, models_dir
    from ..local.server import xllamacpp_available
    from ..settings import find_home

    table = Table("name", "model id", "description", "assembled")
    cache = models_dir(find_home())
    for name, alias, description in available_models():
        ready = (cache / f"{LOCAL_MODELS[name].name}.gguf").is_file()
        table.add_row(name, alias, description, "yes" if ready else "on first use")
    out = stdout()
    out.print(table)
    if not xllamacpp_available():
        out.print("The local extra is not installed: pip install 'briefer[local]'")
