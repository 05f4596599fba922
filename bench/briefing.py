"""Benchmark one briefing on the embedded model (or a given endpoint): the cold run against a
warm server, the floor it is measured against, then the cached re-run next to `briefer --help`.

    python bench/briefing.py seeds/ --local                 # the embedded 1.5B (local extra)
    python bench/briefing.py seeds/ --local --local-model fast
    python bench/briefing.py seeds/ --base-url http://127.0.0.1:8080/v1 \
        --model qwen2.5-coder-1.5b-instruct --context-window 8192

With `--local` it takes the product's own path (`briefer.local.embedded.endpoint`, a fresh
temporary state folder whose `models/` links to the assembled models): the server is started
and timed on its own, one tiny request shows the first-request penalty, then the briefing runs
against the warm server. Every reply's llama.cpp `timings` are read off the wire, so the rates
are the server's own: prompt tokens it read per second and tokens it generated per second.

The floor is what the machine cannot avoid: reading the cleaned source once, in model tokens
(counted by the server's /tokenize), at the prompt rate, plus LEAN_OUTPUT tokens written at
the generation rate. The cached re-run is the real CLI (`briefer brief ... --format json`) in a
subprocess on the same state folder: its wall time, its calls (0) and whether it started a
server (it must not), next to `briefer --help`, each timed RERUNS times (a process start is
noisy).

Not part of pytest: timings on a shared machine are figures to read, not to assert. Run it on a
quiet machine; for a before/after, run both one right after the other.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from briefer import Briefing, Settings, brief, find_home, resolve
from briefer.model.modeltable import lookup
from briefer.pipeline.prepare import counter_for, prepare

LEAN_OUTPUT = 2000  # tokens: a briefing's worth of output (summary, takeaways, framing, picks)


@dataclass
class Wire:
    """The llama.cpp timings of every reply, read as they pass."""

    replies: list[dict[str, Any]] = field(default_factory=list)

    def hook(self, response: httpx2.Response) -> None:
        if not response.url.path.endswith("/chat/completions"):
            return
        response.read()
        with contextlib.suppress(ValueError):
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("timings"), dict):
                self.replies.append({"timings": body["timings"], "usage": body.get("usage", {})})

    def totals(self) -> dict[str, float]:
        t = [r["timings"] for r in self.replies]
        read = sum(x.get("prompt_n", 0) for x in t)
        wrote = sum(x.get("predicted_n", 0) for x in t)
        read_s = sum(x.get("prompt_ms", 0.0) for x in t) / 1000
        wrote_s = sum(x.get("predicted_ms", 0.0) for x in t) / 1000
        return {
            "replies": len(t),
            "prompt_read": read,
            "generated": wrote,
            "prompt_rate": read / read_s if read_s else 0.0,
            "gen_rate": wrote / wrote_s if wrote_s else 0.0,
            "server_seconds": read_s + wrote_s,
        }


@contextlib.contextmanager
def temp_home(models: Path) -> Iterator[Path]:
    """A fresh state folder whose models/ is the given one (nothing is downloaded)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "cache").mkdir()
        (Path(tmp) / "cache" / "models").symlink_to(models.resolve())
        yield Path(tmp)


def settings_for(args: argparse.Namespace, home: Path) -> Settings:
    """The settings the CLI would resolve in this state folder."""
    os.environ["BRIEFER_HOME"] = str(home)
    if args.local:
        for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFER_BASE_URL", "BRIEFER_API_KEY"):
            os.environ.pop(var, None)
        return resolve({"context_window": args.context_window})
    return resolve(
        {"base_url": args.base_url, "model": args.model, "context_window": args.context_window}
    )


@contextlib.contextmanager
def endpoint(args: argparse.Namespace, settings: Settings) -> Iterator[Settings]:
    if not args.local:
        yield settings
        return
    from briefer.local.embedded import endpoint as embedded

    local = None if args.local_model == "default" else args.local_model
    with embedded(settings, local) as live:
        yield live


@contextlib.contextmanager
def served(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(base URL, model) of the given endpoint, or of a LocalServer started for the run."""
    if not args.local:
        yield args.base_url, args.model
        return
    from briefer.local.models import LOCAL_MODELS, models_dir, resolve_model
    from briefer.local.server import LocalServer

    spec = LOCAL_MODELS[args.local_model]
    path = resolve_model(args.local_model, models_dir(find_home()))
    with LocalServer(path, alias=spec.alias, n_ctx=args.context_window) as server:
        yield server.base_url, server.model


def start_server(live: Settings) -> float:
    """Start the lazy embedded server now, so its start is timed on its own."""
    started = time.perf_counter()
    if live.on_first_request is not None:
        live.on_first_request()
    return time.perf_counter() - started


def tiny_request(client: httpx2.Client, live: Settings, n: int) -> dict[str, Any]:
    """A short request (fixed prompt, `n` tokens generated): the server's own timings."""
    reply = client.post(
        f"{live.base_url}/chat/completions",
        json={
            "model": live.model,
            "messages": [{"role": "user", "content": "Count from one to forty in words."}],
            "max_tokens": n,
            "temperature": 0,
            "cache_prompt": False,
        },
        timeout=600,
    )
    timings: dict[str, Any] = reply.json().get("timings", {})
    return timings


def source_tokens(client: httpx2.Client, live: Settings, paths: list[Path]) -> tuple[int, int]:
    """Cleaned source tokens: (the model's own count via /tokenize, tiktoken's count)."""
    prepared, _ = prepare(paths, counter_for(lookup(live.model, live.context_window)))
    root = live.base_url.removesuffix("/v1") if live.base_url else ""
    model = 0
    for p in prepared:
        r = client.post(f"{root}/tokenize", json={"content": p.text}, timeout=60)
        model += len(r.json().get("tokens", [])) if r.status_code == 200 else 0
    return model, sum(p.tokens_after for p in prepared)


def report_run(b: Briefing) -> None:
    r, v = b.run, b.verification
    print(f"cold run: wall {r.wall_seconds:.1f}s, {r.model_calls} calls (+{r.cached_calls} cached)")
    for s in r.steps:
        print(
            f"  {s.step:<18} calls {s.calls:>2}  prompt {s.prompt_tokens:>6}  "
            f"completion {s.completion_tokens:>5}  {s.seconds:7.1f}s"
        )
    print(f"  total prompt {r.prompt_tokens}, completion {r.completion_tokens}")
    print(
        f"  quotes verified {v.quotes_verified}/{v.quotes_total}, citations valid "
        f"{v.citations_valid}/{v.citations_total}, items removed {v.items_dropped}"
    )


def report_floor(b: Briefing, wire: dict[str, float], model_src: int, tik_src: int) -> None:
    pp, gen = wire["prompt_rate"], wire["gen_rate"]
    print(
        f"server: read {wire['prompt_read']:.0f} prompt tokens at {pp:.1f} tok/s, generated "
        f"{wire['generated']:.0f} at {gen:.1f} tok/s ({wire['server_seconds']:.0f}s of "
        f"{wire['replies']:.0f} replies)"
    )
    src = model_src or tik_src
    unit = "model" if model_src else "tiktoken"
    print(f"cleaned source: {model_src} model tokens ({tik_src} tiktoken)")
    r = b.run
    print(
        f"ratios to the cleaned source ({unit} tokens): prompt sent {r.prompt_tokens / src:.2f}, "
        f"prompt read {wire['prompt_read'] / src:.2f}, completion {r.completion_tokens / src:.2f}"
    )
    if pp and gen:
        floor = src / pp + LEAN_OUTPUT / gen
        print(
            f"floor {floor:.0f}s (source once at {pp:.1f} tok/s + {LEAN_OUTPUT} output tokens at "
            f"{gen:.1f} tok/s); wall {r.wall_seconds:.0f}s = {r.wall_seconds / floor:.2f}x floor"
        )


def same(a: Briefing, b: Briefing) -> str:
    """Whether two briefings say the same (everything but the run record)."""
    keep = {"title", "summary", "outlets", "contradictions", "takeaways", "verification"}
    one, two = a.model_dump(include=keep), b.model_dump(include=keep)
    if one == two:
        return "byte-identical content"
    differ = sorted(k for k in keep if one[k] != two[k])
    return f"DIFFERENT in {', '.join(differ)}"


def timed_cli(argv: list[str], home: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {**os.environ, "BRIEFER_HOME": str(home)}
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done


RERUNS = 3  # a single process start is noisy: each CLI timing is taken this many times


def _seconds(times: list[float]) -> str:
    """The median, then every run: '0.84s (0.84 / 0.81 / 0.90)'."""
    median = sorted(times)[len(times) // 2]
    return f"{median:.2f}s ({' / '.join(f'{t:.2f}' for t in times)})"


def report_rerun(paths: list[Path], home: Path, local_model: str) -> None:
    """The cached re-run through the real CLI, next to `briefer --help`, RERUNS times each
    (median first)."""
    exe = [sys.executable, "-m", "briefer"]
    out = home / "rerun.json"
    extra = ["--local-model", local_model] if local_model != "default" else []
    argv = [*exe, "brief", *map(str, paths), *extra, "--format", "json", "-o", str(out)]
    reruns, helps = [], []
    for _ in range(RERUNS):
        rerun_s, done = timed_cli(argv, home)
        if done.returncode != 0:
            print(f"cached re-run FAILED (exit {done.returncode}): {done.stderr.strip()[-400:]}")
            return
        run = json.loads(out.read_text())["run"]
        started = "embedded local model" in done.stderr
        reruns.append(rerun_s)
        helps.append(timed_cli([*exe, "--help"], home)[0])
    print(
        f"cached re-run (CLI): {_seconds(reruns)}, {run['model_calls']} calls, "
        f"{run['cached_calls']} cached, server started: {'yes' if started else 'no'}; "
        f"`briefer --help`: {_seconds(helps)}"
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
    p.add_argument("--models", type=Path, help="assembled models folder (default: the home's)")
    p.add_argument("--save", type=Path, help="write the cold run's briefing JSON here")
    p.add_argument(
        "--extra-body", help="JSON sent with every request, e.g. '{\"cache_prompt\": true}'"
    )
    p.add_argument(
        "--twice",
        action="store_true",
        help="brief again on the same server with the call cache off: is the output the same?",
    )
    add_endpoint_args(p)
    args = p.parse_args()
    models = args.models or find_home().cache_dir / "models"
    if args.extra_body:
        os.environ["BRIEFER_EXTRA_BODY"] = args.extra_body
    wire = Wire()
    with (
        temp_home(models) as home,
        httpx2.Client(event_hooks={"response": [wire.hook]}, timeout=1800) as client,
    ):
        settings = settings_for(args, home)
        with endpoint(args, settings) as live:
            print(f"endpoint {live.base_url}, model {live.model}")
            if args.local:
                print(f"server start: {start_server(live):.1f}s")
                for label in ("first request", "second request"):
                    t = tiny_request(client, live, 48)
                    print(
                        f"{label}: prompt {t.get('prompt_per_second', 0):.1f} tok/s, "
                        f"generation {t.get('predicted_per_second', 0):.1f} tok/s"
                    )
                wire.replies.clear()
            model_src, tik_src = source_tokens(client, live, args.paths)
            cold = brief(args.paths, live, http_client=client)
            again = None
            if args.twice:  # not on the wire: the rates stay the first run's
                again = brief(args.paths, live.model_copy(update={"cache": False}))
        report_run(cold)
        if again is not None:
            print(f"re-run, call cache off: {same(cold, again)} ({again.run.wall_seconds:.0f}s)")
        report_floor(cold, wire.totals(), model_src, tik_src)
        if args.save:
            args.save.write_text(cold.model_dump_json(indent=2))
        if args.local:
            report_rerun(args.paths, home, args.local_model)


if __name__ == "__main__":
    main()
