"""`python -m briefer.local`: serve a local model on 127.0.0.1 in the foreground.

The child process `LocalServer` starts (see server.py for why a child), and a way to serve a
model by hand for another client. A small command line of its own rather than a `briefer`
command: the child needs only this package, not the CLI. The one module of briefer/local that
prints and exits; server.py stays library code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import LocalModelError
from ..settings import find_home
from .models import find_spec_for, models_dir, resolve_model
from .server import (
    DEFAULT_N_CTX,
    HOST,
    LOCAL_EXTRA_MESSAGE,
    default_alias,
    free_port,
    xllamacpp_available,
)


def _serve(model: Path, port: int, alias: str, n_ctx: int, threads: int) -> Any:
    """Start xllamacpp's server in this process; returns once the model is loaded."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = [HOST]
    params.port = port
    params.model_alias = {alias}
    return xllamacpp.Server(params)


def _parent_alive(parent_pid: int | None) -> bool:
    return parent_pid is None or os.getppid() == parent_pid


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m briefer.local", description="Serve a local model on 127.0.0.1."
    )
    parser.add_argument("--model", default="default", help="default, fast, or a .gguf path")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--n-ctx", type=int, default=DEFAULT_N_CTX)
    parser.add_argument("--alias", default=None, help="model id to serve")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve a model in the foreground until Ctrl-C (or until the parent process dies)."""
    args = _arguments(argv)
    if not xllamacpp_available():
        print(f"error: {LOCAL_EXTRA_MESSAGE}", file=sys.stderr)
        return 2
    folder = models_dir(find_home())
    try:
        if find_spec_for(args.model) is not None:
            print(f"Preparing model {args.model} in {folder} ...", file=sys.stderr)
        model = resolve_model(args.model, folder)
    except LocalModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    port = args.port or free_port()
    alias = args.alias or default_alias(model)
    try:
        server = _serve(model, port, alias, args.n_ctx, args.threads)
    except RuntimeError as exc:
        print(f"error: the server did not start on {HOST}:{port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(f"Serving {alias} at http://{HOST}:{port}/v1 (Ctrl-C to stop)", flush=True)
    try:
        while _parent_alive(args.parent_pid):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    # Skip xllamacpp's destructor (it can deadlock with a request in flight): `server` stays
    # referenced and os._exit ends the process, which frees the port and memory just as well.
    assert server is not None
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
