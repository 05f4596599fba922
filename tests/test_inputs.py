"""Inputs that must not cost money or hang, through the CLI: a folder holding more articles than
one briefing takes is refused before any model call (and before the embedded model is even
looked up), the limit is lifted by flag, environment or config; `estimate` names a prompt that
would not fit the context window; a FIFO named on the command line is skipped, not waited on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from briefer.cli import app
from briefer.errors import InputError
from briefer.ingest.files import ingest
from briefer.local import embedded
from briefer.pipeline.run import brief_articles

from .conftest import SEEDS, TEST_MODEL, model_settings
from .fakes import FakeEndpoint, FakeServer
from .faults import bounded, release
from .schema_fake import served
from .standin import install

runner = CliRunner()
KEY = "not-a-real-key"


def stories(folder: Path, count: int) -> Path:
    """`count` distinct short articles in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"{n:03}.txt").write_text(
            f"Council vote {n}\n\nThe town council voted {n} times on the harbour budget on "
            f"Tuesday, the mayor said.\n",
            encoding="utf-8",
        )
    return folder


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    return line


def test_brief_over_the_article_limit_stops_before_any_model_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    folder = stories(tmp_path / "wrong-folder", 4)
    with FakeServer() as server:  # no reply: not one request may be sent
        result = runner.invoke(
            app, ["brief", str(folder), "--base-url", server.base_url, "--max-articles", "3"]
        )
    assert one_error_line(result) == (
        f"Error: {folder}: 4 article files, more than the 3 articles one briefing takes: brief "
        "fewer, or raise the limit with --max-articles (max_articles in the config)."
    )
    assert server.requests == []


def test_over_the_limit_the_embedded_model_is_not_even_looked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = install(monkeypatch, tmp_path)
    looked_up: list[str] = []
    monkeypatch.setattr(embedded, "resolve_model", lambda name, cache: looked_up.append(name))
    folder = stories(tmp_path / "wrong-folder", 4)
    result = runner.invoke(app, ["brief", str(folder), "--max-articles", "3"])  # no key, no URL
    assert "more than the 3 articles one briefing takes" in one_error_line(result)
    assert looked_up == [] and server.instances == []


def test_the_article_limit_is_lifted_by_flag_environment_or_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = stories(tmp_path / "many", 51)
    refused = runner.invoke(app, ["estimate", str(folder)])
    assert "51 article files, more than the 50 articles" in one_error_line(refused)

    for args in (["--max-articles", "51"], ["--max-articles", "60"]):
        result = runner.invoke(app, ["estimate", str(folder), *args])
        assert result.exit_code == 0 and "51 articles" in result.stdout, result.output
    config = tmp_path / "config.toml"
    config.write_text("max_articles = 51\n", encoding="utf-8")
    result = runner.invoke(app, ["estimate", str(folder), "--config", str(config)])
    assert result.exit_code == 0 and "51 articles" in result.stdout, result.output
    monkeypatch.setenv("BRIEFER_MAX_ARTICLES", "51")
    assert runner.invoke(app, ["estimate", str(folder)]).exit_code == 0
    # The flag wins over the environment.
    result = runner.invoke(app, ["estimate", str(folder), "--max-articles", "5"])
    assert "more than the 5 articles" in one_error_line(result)


def test_brief_articles_refuses_too_many_before_any_request() -> None:
    articles = ingest([SEEDS]).articles
    fake = FakeEndpoint()  # any request fails the test
    with pytest.raises(InputError) as info:
        brief_articles(articles, model_settings(max_articles=4), http_client=fake.client())
    assert str(info.value).startswith("5 articles, more than the 4 articles one briefing takes")
    assert fake.requests == []


def test_estimate_names_a_prompt_that_would_not_fit_the_context_window(tmp_path: Path) -> None:
    """Twenty outlets make a framing prompt (one profile each) larger than a 4,096-token window;
    the analyses are cut to fit it, so only framing is named."""
    folder = stories(tmp_path / "twenty", 20)
    roomy = runner.invoke(app, ["estimate", str(folder)])
    assert roomy.exit_code == 0 and "context window" not in roomy.stderr, roomy.output

    result = runner.invoke(app, ["estimate", str(folder), "--context-window", "4096"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "context window" in line]
    assert len(lines) == 1 and lines[0].startswith("Warning: framing: a prompt of about "), lines
    size = int(lines[0].split("about ")[1].split(" tokens")[0].replace(",", ""))
    assert lines[0].endswith(
        "tokens and its 900-token reply would not fit the 4,096-token context window of "
        "gpt-4.1-mini"
    )
    assert size + 900 > 4096
    # The warning's figure is the framing prompt of the expected run's table (the first).
    row = next(line for line in result.stdout.splitlines() if line.startswith("│ framing"))
    assert row.split("│")[3].strip() == str(size)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_brief_skips_a_fifo_named_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    # The model calls of briefing the one good file with the smallest valid replies.
    calls = 3
    good_file = tmp_path / "good.txt"
    good_file.write_bytes((SEEDS / "001_194ea32b46bea275.txt").read_bytes())
    out = tmp_path / "b.md"
    args = ["--model", TEST_MODEL, "--context-window", "8192", "-j", "1", "-o", str(out)]
    try:
        with FakeServer.serving(served, calls) as server:
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
