"""Benchmark a briefing against a real endpoint: cold run, then the cached re-run, side by side.

    python bench/briefing.py seeds/ --base-url http://127.0.0.1:8080/v1 \
        --model qwen2.5-coder-1.5b-instruct --context-window 8192
    python bench/briefing.py seeds/ --local        # starts the embedded model (local extra)

Prints tokens before/after cleaning, calls, tokens and seconds per step, quotes verified, and
the cold/cached wall-time ratio. Uses a fresh temporary state dir, so the cold run is cold.
Not part of pytest: timings on a shared machine are figures to read, not to assert.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from briefer.briefing.pipeline import brief
from briefer.schemas import Briefing
from briefer.settings import Home, Settings, find_home


@contextlib.contextmanager
def endpoint(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    if not args.local:
        yield args.base_url, args.model
        return
    from briefer.local.models import LOCAL_MODELS, models_dir, resolve_model
    from briefer.local.server import LocalServer

    spec = LOCAL_MODELS[args.local_model]
    path = resolve_model(args.local_model, models_dir(find_home()))
    with LocalServer(path, alias=spec.alias, n_ctx=args.context_window) as server:
        yield server.base_url, server.model


def _report(label: str, b: Briefing) -> None:
    r, v = b.run, b.verification
    print(f"{label}: wall {r.wall_seconds:.1f}s, {r.model_calls} calls (+{r.cached_calls} cached)")
    for s in r.steps:
        print(
            f"  {s.step:<18} calls {s.calls:>2}  prompt {s.prompt_tokens:>6}  "
            f"completion {s.completion_tokens:>5}  {s.seconds:7.1f}s"
        )
    print(
        f"  quotes verified {v.quotes_verified}/{v.quotes_total}, citations valid "
        f"{v.citations_valid}/{v.citations_total}, items removed {v.items_dropped}"
    )


def add_endpoint_args(p: argparse.ArgumentParser) -> None:
    """The endpoint flags every benchmark takes."""
    p.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL"))
    p.add_argument("--model", default="qwen2.5-coder-1.5b-instruct")
    p.add_argument("--context-window", type=int, default=8192)
    p.add_argument("--local", action="store_true", help="serve the embedded model")
    p.add_argument("--local-model", default="default", choices=["default", "fast"])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+", type=Path)
    add_endpoint_args(p)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as home, endpoint(args) as (base_url, model):
        extra = {"cache_prompt": False} if args.local else {}
        settings = Settings(
            home=Home.at(Path(home)),
            api_key=os.environ.get("OPENAI_API_KEY"),
            base_url=base_url,
            model=model,
            context_window=args.context_window,
            extra_body=extra,
            concurrency=1,
            timeout=1800,
        )
        cold = brief(args.paths, settings)
        print(f"endpoint {base_url}, model {model}")
        print(
            f"article tokens before/after cleaning: {cold.run.tokens_before_clean}/"
            f"{cold.run.tokens_after_clean}"
        )
        _report("cold run", cold)
        warm = brief(args.paths, settings)
        _report("re-run (cache)", warm)
        ratio = cold.run.wall_seconds / max(warm.run.wall_seconds, 1e-3)
        print(f"re-run is {ratio:,.0f}x faster and makes {warm.run.model_calls} model calls")


if __name__ == "__main__":
    main()
