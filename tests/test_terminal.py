"""What the CLI prints to a terminal carries no escape sequence, control or bidi character from
outside: an outlet name, a title, a file name or a model name cannot set the window title,
clear the screen, rewrite a line or reverse the text after it. Accents, CJK and emoji stay.

The judge is a plain scan for the bytes a terminal acts on (ESC, C0 and C1 controls, bidi
controls), not the code under test."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.cli.common import printable

from .loopback import serve
from .schema_fake import answer

runner = CliRunner()
DATA = Path(__file__).parent / "data" / "daily"
HOSTILE = "Valley\x1b]0;PWNED\x1b\\\x1b[2JPost"  # sets the window title, clears the screen
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def acted_on(text: str) -> list[str]:
    """The characters of `text` a terminal would act on or reorder by: C0 and C1 controls
    (ESC among them) but tab and newline, DEL, and bidi controls."""
    return [c for c in text if (unicodedata.category(c) == "Cc" and c not in "\t\n") or c in BIDI]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (HOSTILE, "ValleyPost"),  # OSC ended by ST, then CSI
        ("a\x1b]8;;http://x\x07link\x1b]8;;\x07b", "alinkb"),  # OSC 8 hyperlink, ended by BEL
        ("\x1b[31mred\x1b[0m \x1b[?25lhidden", "red hidden"),  # CSI, private CSI
        ("a\x9b2Jb \x9d0;title\x9cc", "ab c"),  # 8-bit CSI and OSC
        ("a\x1bP1$r\x1b\\b \x1b_apc\x1b\\c", "ab c"),  # DCS, APC
        ("a\x1bcb\x1b7c\x1b(0d", "abcd"),  # single ESC sequences: reset, save cursor, charset
        ("a\x1b]0;unterminated", "a0;unterminated"),  # no terminator: only the ESC ] goes
        ("line\rover\x08written\x07!", "lineoverwritten!"),  # CR, backspace, bell
        (f"Evil{BIDI}News", "EvilNews"),  # bidi embeddings, overrides, isolates, marks
    ],
)
def test_printable_strips_escape_sequences_controls_and_bidi(raw: str, shown: str) -> None:
    assert printable(raw) == shown
    assert acted_on(printable(raw)) == [] and acted_on(raw) != []


def test_printable_keeps_ordinary_text() -> None:
    text = "Zoë Šimić, São Paulo, 東京, محمد, मुंबई, 👩\u200d💻 ❤\ufe0f, tab\tand\nlines [x]"
    assert printable(text) == text


def hostile_inbox(tmp_path: Path) -> Path:
    """The daily test folder, with the Valley Post's name and a title made hostile."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for f in (DATA / "folder").iterdir():
        text = f.read_text(encoding="utf-8").replace("Valley Post", HOSTILE)
        text = text.replace("title: Harbor bridge", "title: Harbor\x9b2J bridge\u202e")
        (inbox / f.name).write_text(text, encoding="utf-8")
    return inbox


def test_a_hostile_outlet_name_reaches_stderr_with_no_escape(tmp_path: Path) -> None:
    """`briefer daily` names each story's outlets as it briefs it: the name is shown, inert."""
    hostile_inbox(tmp_path)
    with serve(DATA / "web", chat=answer) as web:
        config = tmp_path / "briefer.toml"
        config.write_text(
            'output = "out"\nwindow_hours = 1000000\n'
            f'[sources]\nfolders = ["inbox"]\n[model]\nbase_url = "{web.base}/v1"\n',
            encoding="utf-8",
        )
        result = runner.invoke(app, ["daily", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "articles from Coastal Times, ValleyPost\n" in result.stderr
    assert acted_on(result.stderr) == [] and acted_on(result.stdout) == []


def test_brief_prints_a_briefing_of_hostile_names_inert(tmp_path: Path) -> None:
    """The briefing on stdout (a terminal, as likely as not) names the outlets and titles."""
    inbox = hostile_inbox(tmp_path)
    with serve(DATA / "web", chat=answer) as web:
        files = [str(inbox / "valley-post-bridge.md"), str(inbox / "coastal-times-bridge.txt")]
        result = runner.invoke(app, ["brief", *files, "--base-url", f"{web.base}/v1"])
    assert result.exit_code == 0, result.output
    assert "PWNED" in result.stdout and "Coastal Times" in result.stdout
    assert acted_on(result.stdout) == [] and acted_on(result.stderr) == []


def test_hostile_file_names_reach_stderr_with_no_escape(tmp_path: Path) -> None:
    """Skipped files and the unnamed-outlet note name files: a file name is outside text."""
    folder = tmp_path / "x\x1b[2Jy"
    folder.mkdir()
    (folder / "bin\x1b]0;T\x07.txt").write_bytes(b"\x00\x01")
    (folder / "a\x9b2J\u202e.txt").write_text("A headline of some words\n\nSome text.\n")
    result = runner.invoke(app, ["estimate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Skipped " in result.stderr and "No outlet named for a.txt" in result.stderr
    assert acted_on(result.stderr) == [] and acted_on(result.stdout) == []


def test_log_shows_a_hostile_model_name_inert() -> None:
    """The log's columns come from the call store: model names a server or config gave."""
    from briefer.model.cache import CallCache, store_path
    from briefer.settings import find_home

    store = CallCache(store_path(find_home()))
    model = "gpt\x1b]0;PWNED\x07-4.1\u202e-mini"
    store.put(
        "k",
        step="analyse",
        model=model,
        endpoint="e",
        raw="{}",
        prompt_tokens=1,
        completion_tokens=1,
        seconds=1.0,
    )
    result = runner.invoke(app, ["log"])
    assert result.exit_code == 0, result.output
    assert "gpt-4.1-mini" in result.stdout
    assert acted_on(result.stdout) == []
