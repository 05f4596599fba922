"""Inputs that must not hang, through the CLI: a FIFO named on the command line is skipped,
not waited on."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefer.cli import app

from .conftest import SEEDS, TEST_MODEL
from .fakes import Canned, FakeServer, canned, completion
from .schema_fake import answer
from .test_ingest import bounded, release

runner = CliRunner()
KEY = "not-a-real-key"


def good(body: dict[str, Any], headers: dict[str, str]) -> Canned:
    """A valid answer to any json_schema request (the smallest instance of its schema)."""
    return canned(completion(json.dumps(answer(body))))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_brief_skips_a_fifo_named_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    good_file = tmp_path / "good.txt"
    good_file.write_bytes((SEEDS / "001_194ea32b46bea275.txt").read_bytes())
    out = tmp_path / "b.md"
    args = ["--model", TEST_MODEL, "--context-window", "8192", "-j", "1", "-o", str(out)]
    try:
        with FakeServer(good) as server:
            result = bounded(
                lambda: runner.invoke(
                    app, ["brief", str(fifo), str(good_file), "--base-url", server.base_url, *args]
                ),
                seconds=60,
            )
    finally:
        release(fifo)
    assert result.exit_code == 0, result.output
    assert (
        f"Skipped {fifo}: a named pipe (FIFO), not a regular file: not read"
        in result.stderr.splitlines()
    )
    assert f"Wrote {out}: 1 articles" in result.stderr and server.requests
