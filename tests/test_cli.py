"""The CLI through typer's runner: success (from a cassette), bad input, missing key."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer import __version__
from briefer.cli import app
from briefer.schemas.briefing import Briefing

from .conftest import BASE_URL, SEEDS, TEST_KEY, TEST_MODEL
from .sample import briefing

runner = CliRunner()
TWO = [str(SEEDS / "001_194ea32b46bea275.txt"), str(SEEDS / "004_9e89ca09907b8ff5.txt")]
MODEL_ARGS = [
    "--base-url",
    BASE_URL,
    "--model",
    TEST_MODEL,
    "--context-window",
    "8192",
    "--timeout",
    "1800",
    "-j",
    "1",
]


@pytest.mark.vcr
def test_brief_writes_markdown_then_json_from_cache(
    cassette: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("BRIEFER_EXTRA_BODY", '{"cache_prompt": false}')
    out = tmp_path / "briefing.md"
    result = runner.invoke(app, ["brief", *TWO, *MODEL_ARGS, "-o", str(out)])
    assert result.exit_code == 0, result.output
    md = out.read_text()
    assert md.startswith("# ")
    for heading in (
        "## Summary",
        "## Key takeaways",
        "## Where outlets disagree",
        "## Outlet comparison",
        "## Sources",
    ):
        assert heading in md
    assert "001_194ea32b46bea275" in md and "004_9e89ca09907b8ff5" in md
    assert "Quotes verified:" in md
    assert f"Wrote {out}: 2 articles" in result.stderr

    # Same input again as JSON: served from the cache, no request (the cassette has none left).
    out_json = tmp_path / "briefing.json"
    result = runner.invoke(app, ["brief", *TWO, *MODEL_ARGS, "-f", "json", "-o", str(out_json)])
    assert result.exit_code == 0, result.output
    data = json.loads(out_json.read_text())
    assert data["run"]["model_calls"] == 0 and data["run"]["cached_calls"] >= 3
    assert len(data["outlets"]) == 2

    # And as one page, also from the cache: the same briefing, its articles embedded.
    out_html = tmp_path / "briefing.html"
    result = runner.invoke(app, ["brief", *TWO, *MODEL_ARGS, "-f", "html", "-o", str(out_html)])
    assert result.exit_code == 0, result.output
    page = out_html.read_text()
    assert page.startswith("<!doctype html>") and "Content-Security-Policy" in page
    (title,) = re.findall(r"<h1><bdi>(.*?)</bdi></h1>", page)
    assert html.unescape(title) == data["title"]
    assert page.count('<article class="source"') == 2


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"briefer {__version__}"


def test_folder_without_articles_fails_clearly(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "empty.txt").write_text("  \n")
    result = runner.invoke(app, ["brief", str(tmp_path), "--base-url", BASE_URL])
    assert result.exit_code == 1
    assert "No usable articles" in result.stderr and str(tmp_path) in result.stderr
    assert "Traceback" not in result.output


def test_bad_path_fails_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = runner.invoke(app, ["brief", str(missing), "--base-url", BASE_URL])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: {missing}: no such file or folder."]


def test_missing_key_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("briefer.local.embedded.xllamacpp_available", lambda: False)
    result = runner.invoke(app, ["brief", str(SEEDS)])
    assert result.exit_code == 1
    assert "No API key: set OPENAI_API_KEY, pass --base-url, or install the local extra." in (
        result.stderr
    )


def test_unreachable_endpoint_is_one_sentence_exit_1(tmp_path: Path) -> None:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once. One
    # retry (0.5 s of back-off) instead of the default two (1.5 s) keeps the test quick.
    config = tmp_path / "config.toml"
    config.write_text("max_retries = 1\n", encoding="utf-8")
    args = ["--base-url", "http://127.0.0.1:9/v1", "--timeout", "5", "--config", str(config)]
    result = runner.invoke(app, ["brief", TWO[0], *args])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: Cannot reach http://127.0.0.1:9/v1"), line
    assert "2 attempts" in line


def test_estimate_needs_no_key_and_no_network() -> None:
    result = runner.invoke(app, ["estimate", str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert "5 articles" in result.stdout
    assert "analyse" in result.stdout and "synthesise" in result.stdout
    assert "Expected cost: $" in result.stdout and "Upper-bound cost: $" in result.stdout
    assert "Worst-case" not in result.stdout  # the expected figure is not called a worst case


def test_one_unreadable_article_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text((SEEDS / "004_9e89ca09907b8ff5.txt").read_text())
    # A PNG saved as .txt (FF FE, the bytes this test once used, is the UTF-16 byte-order mark).
    (tmp_path / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01")
    result = runner.invoke(app, ["estimate", str(tmp_path)])
    assert result.exit_code == 0
    assert "bad.txt" in result.stderr and "binary" in result.stderr
    assert "1 articles" in result.stdout


def _report(sentences: int) -> str:
    return "Harbour report\n\n" + "\n".join(
        f"In week {i} the harbour counted {i * 7 + 3} ships at berth {i % 40}."
        for i in range(sentences)
    )


def test_estimate_skips_an_oversized_file_and_the_flag_raises_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "dump.txt"
    big.write_text(_report(2200), encoding="utf-8")  # ~36,000 tokens: over the 30,000 limit
    result = runner.invoke(app, ["estimate", str(big), TWO[0]])
    assert result.exit_code == 0, result.output
    assert "1 articles" in result.stdout
    line = next(x for x in result.stderr.splitlines() if x.startswith("Skipped"))
    assert re.fullmatch(
        rf"Skipped {re.escape(str(big))}: [\d,]+ tokens after cleaning, over the 30,000-token "
        r"article limit; raise it with --max-article-tokens \(max_article_tokens in the config\)",
        line,
    ), line
    raised = runner.invoke(app, ["estimate", str(big), TWO[0], "--max-article-tokens", "40000"])
    assert raised.exit_code == 0 and "2 articles" in raised.stdout
    assert "Skipped" not in raised.stderr


def test_brief_with_every_article_over_the_limit_fails_in_one_line() -> None:
    result = runner.invoke(
        app, ["brief", TWO[0], "--base-url", BASE_URL, "--max-article-tokens", "10"]
    )
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: No usable articles: {TWO[0]}: ")
    assert "over the 10-token article limit; raise it with --max-article-tokens" in line


def test_estimate_says_which_encoding_it_read(tmp_path: Path) -> None:
    latin = tmp_path / "gare.txt"
    latin.write_bytes(
        "Le café ferme\n\nLe café de la gare a fermé ses portes mardi, après quarante ans; les "
        "commerçants du quartier s'inquiètent.\n".encode("latin-1")
    )
    result = runner.invoke(app, ["estimate", str(latin)])
    assert result.exit_code == 0, result.output
    assert f"Warning: {latin}: not UTF-8, read as cp1252" in result.stderr
    assert "Skipped" not in result.stderr and "1 articles" in result.stdout


def _briefing(flags: list[str]) -> Briefing:
    b = briefing()
    b.summary[0].flags = flags
    return b


@pytest.mark.parametrize("flags", [[], ["number 300 is not in the cited articles"]])
def test_strict_writes_nothing_when_a_statement_is_unverified(
    flags: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("briefer.pipeline.run.brief_articles", lambda *a, **k: _briefing(flags))
    out = tmp_path / "b.md"
    result = runner.invoke(
        app, ["brief", TWO[0], "--base-url", BASE_URL, "--strict", "-o", str(out)]
    )
    if flags:
        assert result.exit_code == 1 and not out.exists()
        assert "--strict: 1 unverified statements, nothing written" in result.stderr
        assert "number 300" in result.stderr
    else:
        assert result.exit_code == 0 and out.read_text().startswith("# ")


def test_log_lists_paid_calls_from_the_cache() -> None:
    from briefer.model.cache import CallCache, store_path
    from briefer.settings import find_home

    assert "No model calls recorded yet" in runner.invoke(app, ["log"]).stdout
    store = CallCache(store_path(find_home()))
    store.put(
        "k1",
        step="analyse",
        model="gpt-4.1-mini",
        endpoint="e",
        raw="{}",
        prompt_tokens=1_000_000,
        completion_tokens=0,
        seconds=2.5,
    )
    result = runner.invoke(app, ["log"])
    assert result.exit_code == 0
    assert "analyse" in result.stdout and "$0.4000" in result.stdout  # 1M prompt tokens


def test_messages_with_brackets_are_printed_not_parsed_as_markup(tmp_path: Path) -> None:
    """Paths, reasons and model text can hold '[...]': rich must print them, not eat or choke
    on them (a stray '[/]' would otherwise crash the error path)."""
    bad = tmp_path / "[/] odd [sources]"
    result = runner.invoke(app, ["brief", str(bad), "--base-url", BASE_URL])
    assert result.exit_code == 1
    assert f"{bad}: no such file or folder." in result.stderr
    config = tmp_path / "briefer.toml"
    result = runner.invoke(app, ["init", str(config)])
    assert result.exit_code == 0, result.output
    assert "list your sources under [sources]" in result.stderr


def test_command_output_with_brackets_is_printed_not_parsed_as_markup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What estimate and models print on stdout is literal text too: a model name with '[/]'
    must not crash estimate, and the install hint must keep its '[local]'."""
    result = runner.invoke(app, ["estimate", str(SEEDS), "--model", "odd[/]name"])
    assert result.exit_code == 0, result.output
    assert "model odd[/]name," in result.stdout
    monkeypatch.setattr("briefer.local.server.xllamacpp_available", lambda: False)
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    assert "pip install 'briefer[local]'" in result.stdout
