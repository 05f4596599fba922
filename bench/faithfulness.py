"""Faithfulness harness: brief each article set and print what was verified, per set and overall.

    python bench/faithfulness.py --local                      # embedded 1.5B model (local extra)
    python bench/faithfulness.py --base-url http://127.0.0.1:8080/v1 --model NAME
    python bench/faithfulness.py --local --sets harbour-bridge  # one set only

Sets: `seeds/` (reference: bench/sets/seeds.reference.txt) and every bench/sets/<name>/ with an
`articles/` folder and a `reference.txt`. Per set it prints quotes verified, numbers verified,
citations supported, contradictions found (of the candidate pairs judged), opinion pieces
found, and ROUGE-1/2/L F1 of the summary against the human reference (rouge-score, stemmed).
Needs `pip install -e ".[bench]"`. Not part of pytest: these are figures to read.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from briefing import add_endpoint_args, served
from rouge_score import rouge_scorer

from briefer import Briefing, Home, Settings, brief, find_home

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "bench" / "sets"


@dataclass
class ArticleSet:
    name: str
    articles: Path
    reference: str | None


def article_sets(only: list[str] | None) -> list[ArticleSet]:
    ref = SETS / "seeds.reference.txt"
    sets = [ArticleSet("seeds", ROOT / "seeds", ref.read_text("utf-8") if ref.exists() else None)]
    for folder in sorted(p for p in SETS.iterdir() if (p / "articles").is_dir()):
        r = folder / "reference.txt"
        sets.append(
            ArticleSet(
                folder.name, folder / "articles", r.read_text("utf-8") if r.exists() else None
            )
        )
    return [s for s in sets if not only or s.name in only]


def rouge(summary: str, reference: str) -> dict[str, float]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    return {k: v.fmeasure for k, v in scorer.score(reference, summary).items()}


def report(name: str, b: Briefing, scores: dict[str, float] | None) -> None:
    v, r = b.verification, b.run
    opinion = [o.outlet for o in b.outlets if o.opinion_piece] or ["none"]
    print(f"== {name}: {len(b.sources)} articles, {len(r.skipped)} skipped")
    print(
        f"   calls {r.model_calls}, tokens {r.prompt_tokens} + {r.completion_tokens}, "
        f"wall {r.wall_seconds:.0f}s"
    )
    print(
        f"   quotes verified {v.quotes_verified}/{v.quotes_total}; numbers verified "
        f"{v.numbers_verified}/{v.numbers_total}; sentences re-asked {v.sentence_reasks}; "
        "citations "
        f"supported {v.citations_supported}/{v.citations_total}"
    )
    print(
        f"   contradictions {len(b.contradictions)} of {v.contradiction_candidates} candidates: "
        + "; ".join(c.topic for c in b.contradictions)
    )
    print(f"   opinion pieces: {', '.join(opinion)}; unverified statements {len(b.unverified())}")
    if scores:
        print("   ROUGE F1 " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="*", help="set names (default: all)")
    p.add_argument(
        "--home", type=Path, help="state dir to reuse (default: a fresh one, so runs are cold)"
    )
    add_endpoint_args(p)
    args = p.parse_args()
    totals = {"quotes": [0, 0], "numbers": [0, 0], "citations": [0, 0], "contra": [0, 0]}
    all_scores: list[dict[str, float]] = []
    scope = None
    if args.local:
        from briefer.local.models import models_dir, resolve_model

        scope = f"embedded:{resolve_model(args.local_model, models_dir(find_home())).name}"
    with tempfile.TemporaryDirectory() as tmp, served(args) as (base_url, model):
        settings = Settings(
            home=Home.at(args.home or Path(tmp)),
            api_key=os.environ.get("OPENAI_API_KEY"),
            base_url=base_url,
            model=model,
            context_window=args.context_window,
            extra_body={"cache_prompt": False} if args.local else {},
            concurrency=1,
            timeout=1800,
            # as the embedded model is cached, so a --home shared with `briefer` is reused
            cache_scope=scope,
        )
        print(f"endpoint {base_url}, model {model}")
        for s in article_sets(args.sets):
            b = brief([s.articles], settings)
            summary = " ".join(c.text for c in b.summary)
            scores = rouge(summary, s.reference) if s.reference else None
            if scores:
                all_scores.append(scores)
            report(s.name, b, scores)
            v = b.verification
            for key, (num, den) in {
                "quotes": (v.quotes_verified, v.quotes_total),
                "numbers": (v.numbers_verified, v.numbers_total),
                "citations": (v.citations_supported, v.citations_total),
                "contra": (len(b.contradictions), v.contradiction_candidates),
            }.items():
                totals[key][0] += num
                totals[key][1] += den
    print("== overall")
    print(
        f"   quotes verified {totals['quotes'][0]}/{totals['quotes'][1]}; numbers verified "
        f"{totals['numbers'][0]}/{totals['numbers'][1]}; citations supported "
        f"{totals['citations'][0]}/{totals['citations'][1]}; contradictions "
        f"{totals['contra'][0]} of {totals['contra'][1]} candidates"
    )
    if all_scores:
        mean = {k: sum(s[k] for s in all_scores) / len(all_scores) for k in all_scores[0]}
        print("   mean ROUGE F1 " + ", ".join(f"{k} {v:.3f}" for k, v in mean.items()))


if __name__ == "__main__":
    main()
