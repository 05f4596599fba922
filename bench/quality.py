"""Reader-quality benchmark (issue 11): brief three-outlet news events, judge what a reader gets.

    python bench/quality.py --baselines-only --events 40     # the extractive baselines, no model
    python bench/quality.py --events 20 --work /tmp/q20      # brief 20 events (embedded model)
    python bench/quality.py --events 20 --from-dir /tmp/q20  # score briefings already written

The events are read from ../shared/eval/allsides-dev.jsonl (beside the repository; --eval PATH
for another copy), never copied into the repository. Each event's three articles are written
to WORK/articles/ID/ with front matter naming outlet and title, briefed through the library
with the settings the CLI would use (the embedded model when no key or endpoint is set; the
call cache in briefer's home makes a re-run free) and saved as WORK/ID.json and WORK/ID.md.
--from-dir scores the ID.json files of a folder without any model.

Per event and in mean: ROUGE-1/2/L F of the summary against the human roundup (rouge-score,
stemmed), then what bench/quality_metrics.py counts: cited outlets per summary sentence,
meta-sentences, near-duplicate pairs, cut sentences, boilerplate framing lines, share of
outlets shown by name; the three baselines of bench/baselines.py on the same events; a
pass/fail line for the issue's thresholds. --json OUT writes every number and offending text.
Needs `pip install -e ".[bench]"`. Not part of pytest: figures to read.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from baselines import BASELINES
from eval_events import Event, load_events, select, write_articles
from quality_metrics import BriefingView, QualityScore, score

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval" / "allsides-dev.jsonl"
ROUGE_KEYS = ("rouge1", "rouge2", "rougeL")
CONSENSUS = "consensus extractive"
MIN_CITED = 2.0


@functools.cache
def _scorer() -> Any:
    from rouge_score import rouge_scorer  # the bench extra: imported when scoring, not before

    return rouge_scorer.RougeScorer(list(ROUGE_KEYS), use_stemmer=True)


def rouge(summary: str, reference: str) -> dict[str, float]:
    """ROUGE-1/2/L F-measure of `summary` against `reference` (stemmed)."""
    return {k: v.fmeasure for k, v in _scorer().score(reference, summary).items()}


@dataclass
class Row:
    event: str
    rouge: dict[str, float]
    quality: QualityScore


def brief_events(events: Sequence[Event], work: Path, local_model: str | None) -> None:
    """Brief each event into WORK/ID.json and WORK/ID.md; an event that fails is reported on
    stderr and left without files (scoring then counts it as missing)."""
    from briefer import BrieferError, brief, resolve
    from briefer.local import embedded
    from briefer.render.render import to_json, to_markdown

    def note(message: str) -> None:
        print(message, file=sys.stderr)

    with embedded.endpoint(resolve(), local_model, notify=note) as settings:
        for event in events:
            paths = write_articles(event, work / "articles" / event.id)
            try:
                b = brief(paths, settings)
            except BrieferError as exc:
                note(f"event {event.id}: not briefed: {exc}")
                continue
            (work / f"{event.id}.json").write_text(to_json(b), "utf-8")
            (work / f"{event.id}.md").write_text(to_markdown(b), "utf-8")
            r = b.run
            note(
                f"event {event.id}: {r.model_calls} model calls (+{r.cached_calls} cached), "
                f"{r.wall_seconds:.0f}s"
            )


def score_dir(events: Sequence[Event], folder: Path) -> tuple[list[Row], list[str]]:
    """The rows of the events whose FOLDER/ID.json is a briefing, and the ids of the others
    (no file, or one that is not a briefing's JSON: said on stderr)."""
    rows, missing = [], []
    for event in events:
        path = folder / f"{event.id}.json"
        try:
            view = BriefingView.model_validate_json(path.read_bytes())
        except OSError:
            missing.append(event.id)
            continue
        except ValueError as exc:  # pydantic's ValidationError is one
            print(f"{path}: not a briefing: {str(exc).splitlines()[0]}", file=sys.stderr)
            missing.append(event.id)
            continue
        summary = " ".join(s.text for s in view.summary)
        rows.append(Row(event.id, rouge(summary, event.roundup), score(view, event.outlets)))
    return rows, missing


def baseline_means(events: Sequence[Event]) -> dict[str, dict[str, float]]:
    """Mean ROUGE-1/2/L of each baseline on these events."""
    return {
        name: _mean_rouge([rouge(" ".join(f(e)), e.roundup) for e in events])
        for name, f in BASELINES.items()
    }


def _mean_rouge(scores: Sequence[dict[str, float]]) -> dict[str, float]:
    return {k: sum(s[k] for s in scores) / len(scores) if scores else 0.0 for k in ROUGE_KEYS}


COLUMNS: dict[str, Callable[[Row], float]] = {
    "R-1": lambda r: r.rouge["rouge1"],
    "R-2": lambda r: r.rouge["rouge2"],
    "R-L": lambda r: r.rouge["rougeL"],
    "sentences": lambda r: r.quality.summary_sentences,
    "cited/sentence": lambda r: r.quality.cited_per_sentence,
    "meta": lambda r: len(r.quality.meta),
    "near-dup pairs": lambda r: len(r.quality.near_duplicates),
    "cut": lambda r: len(r.quality.cut),
    "boilerplate framing": lambda r: len(r.quality.boilerplate),
    "named outlets": lambda r: r.quality.named_share,
}
_COUNTS = ("meta", "near-dup pairs", "cut", "boilerplate framing")


def means(rows: Sequence[Row]) -> dict[str, float]:
    """Each column's mean over the events."""
    return {c: sum(f(r) for r in rows) / len(rows) if rows else 0.0 for c, f in COLUMNS.items()}


def totals(rows: Sequence[Row]) -> dict[str, int]:
    """Each count column's sum over the events."""
    return {c: int(sum(COLUMNS[c](r) for r in rows)) for c in _COUNTS}


def _cell(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3f}"


def table(rows: Sequence[Row]) -> Iterator[str]:
    """The per-event Markdown table, with a mean row and a total row for the counts."""
    yield "| event | " + " | ".join(COLUMNS) + " |"
    yield "|---" * (len(COLUMNS) + 1) + "|"
    for r in rows:
        yield f"| {r.event} | " + " | ".join(_cell(f(r)) for f in COLUMNS.values()) + " |"
    mean, total = means(rows), totals(rows)
    yield "| **mean** | " + " | ".join(f"{mean[c]:.3f}" for c in COLUMNS) + " |"
    yield "| **total** | " + " | ".join(str(total[c]) if c in total else "" for c in COLUMNS) + " |"


def baseline_table(baselines: dict[str, dict[str, float]], n: int) -> Iterator[str]:
    yield f"| baseline ({n} events) | ROUGE-1 | ROUGE-2 | ROUGE-L |"
    yield "|---|---|---|---|"
    for name, m in baselines.items():
        yield f"| {name} | " + " | ".join(f"{m[k]:.3f}" for k in ROUGE_KEYS) + " |"


def verdicts(
    rows: Sequence[Row], missing: Sequence[str], baselines: dict[str, dict[str, float]]
) -> dict[str, bool]:
    """The issue's thresholds, each with whether it holds."""
    mean, total = means(rows), totals(rows)
    bar = baselines[CONSENSUS]["rouge1"]
    checks = {
        f"all events briefed (missing: {', '.join(missing) or 'none'})": not missing and bool(rows),
        f"mean ROUGE-1 {mean['R-1']:.3f} >= consensus {bar:.3f}": mean["R-1"] >= bar,
        f"cited outlets per sentence {mean['cited/sentence']:.2f} >= {MIN_CITED:.0f}": (
            mean["cited/sentence"] >= MIN_CITED
        ),
    }
    for c in _COUNTS:
        checks[f"{total[c]} {c}"] = total[c] == 0
    return checks


def problems(rows: Sequence[Row]) -> Iterator[str]:
    """What was counted, per event: the offending sentences and framing lines."""
    for r in rows:
        q = r.quality
        found = [
            *(f"meta: {s}" for s in q.meta),
            *(f"near-duplicates: {a} || {b}" for a, b in q.near_duplicates),
            *(f"cut: {s}" for s in q.cut),
            *(f"boilerplate framing: {s}" for s in q.boilerplate),
        ]
        for line in found:
            yield f"- {r.event} {line}"


def report_json(
    rows: Sequence[Row],
    missing: Sequence[str],
    baselines: dict[str, dict[str, float]],
    checks: dict[str, bool],
) -> str:
    return json.dumps(
        {
            "events": [asdict(r) for r in rows],
            "missing": list(missing),
            "mean": means(rows),
            "totals": totals(rows),
            "baselines": baselines,
            "checks": checks,
            "pass": all(checks.values()),
        },
        indent=2,
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="the events (JSON lines)")
    p.add_argument("--events", type=int, default=20, help="the first N events (default 20)")
    p.add_argument("--ids", nargs="+", help="these event ids instead of the first N")
    p.add_argument("--work", type=Path, help="where articles and briefings are written")
    p.add_argument("--from-dir", type=Path, help="score the ID.json briefings here; no model")
    p.add_argument("--baselines-only", action="store_true", help="print the baselines only")
    p.add_argument("--local-model", help="default, fast or a .gguf (default: as the CLI picks)")
    p.add_argument("--json", type=Path, help="write every number here")
    return p.parse_args(argv)


def work_dir(args: argparse.Namespace) -> Path:
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        return Path(args.work)
    from briefer import find_home

    root = find_home().data_dir / "bench"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="quality-", dir=root))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        events = select(load_events(args.eval), args.events, args.ids)
    except (OSError, ValueError) as exc:
        print(f"quality.py: {args.eval}: {exc}", file=sys.stderr)
        return 2
    baselines = baseline_means(events)
    print("\n".join(baseline_table(baselines, len(events))))
    if args.baselines_only:
        return 0
    folder = args.from_dir
    if folder is None:
        folder = work_dir(args)
        print(f"work folder: {folder}", file=sys.stderr)
        from briefer import BrieferError

        try:
            brief_events(events, folder, args.local_model)
        except BrieferError as exc:  # settings or the embedded model: nothing could be briefed
            print(f"quality.py: {exc}", file=sys.stderr)
            return 2
    rows, missing = score_dir(events, folder)
    print()
    print("\n".join(table(rows)))
    print("\n".join(problems(rows)))
    checks = verdicts(rows, missing, baselines)
    failed = [c for c, ok in checks.items() if not ok]
    print(f"\n{'PASS' if not failed else 'FAIL'}: " + "; ".join(failed or list(checks)))
    if args.json:
        args.json.write_text(report_json(rows, missing, baselines, checks), "utf-8")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
