"""What every command shares: the error console, failing with one sentence, notes, labelled
lines (errors, warnings, skipped files), the stdout console, the progress bar, the global
--version/--debug options and the command options used by more than one command."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn, ParamSpec

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import __version__
from ..errors import BrieferError
from ..ingest.invisible import visible

err = Console(stderr=True, soft_wrap=True)  # one message, one line: no wrapping

_state: dict[str, bool] = {"debug": False}
P = ParamSpec("P")

PathsArg = Annotated[
    list[Path], typer.Argument(help="Article files or folders (.txt, .md, .html).")
]
ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="Model name.")]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1."),
]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="Config file (TOML).")]
SourcesOpt = Annotated[
    Path | None, typer.Option("--sources", help="Manifest naming each file's outlet.")
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Do not reuse or store model replies.")
]
CtxOpt = Annotated[
    int | None, typer.Option("--context-window", help="The server's context size in tokens.")
]
MaxArticleOpt = Annotated[
    int | None,
    typer.Option(
        "--max-article-tokens",
        help="Skip articles longer than this many tokens after cleaning (default 30000).",
    ),
]
MaxArticlesOpt = Annotated[
    int | None,
    typer.Option(
        "--max-articles",
        help="Refuse inputs holding more articles than this, before any model call (default 50).",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefer {__version__}")
        raise typer.Exit()


def global_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """The app's callback: options that come before the command."""
    _state["debug"] = debug


def fail(exc: BrieferError) -> NoReturn:
    """Print the error as one sentence and exit 1 (with --debug, raise it for the traceback)."""
    if _state["debug"]:
        raise exc
    notice("Error:", str(exc), "red")
    raise typer.Exit(1)


def one_sentence(command: Callable[P, None]) -> Callable[P, None]:
    """The command, with any BrieferError it raises printed as one sentence and exit 1: the
    app registers every command through this, so none catches them itself."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except BrieferError as exc:
            fail(exc)

    return run


# Terminal escape sequences (ECMA-48), 7-bit and 8-bit: strings (OSC, DCS, SOS, PM, APC) up to
# their terminator, CSI sequences, other ESC sequences; then any control character left but
# tab and newline (a lone ESC, CR, backspace, BEL, C1 controls such as \x9b).
_ESCAPE = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def printable(text: object) -> str:
    """`text` safe to show on a terminal: no escape sequence or control character (a title
    could set the window title, clear the screen or rewrite the line) and no invisible
    character (a bidi override would reorder what follows). Every line the CLI prints from
    outside (names, titles, paths, server and model text) goes through this."""
    return visible(_ESCAPE.sub("", str(text)))


def note(message: str) -> None:
    """A plain line on stderr."""
    # Messages carry paths and article text: never rich markup ("[sources]" must stay).
    err.print(printable(message), highlight=False, markup=False)


def echo(text: str) -> None:
    """A command's plain output on stdout (the daily summary, the log's columns)."""
    typer.echo(printable(text))


def stdout() -> Console:
    """The console for a command's output on stdout: literal text, no highlighting (names,
    paths and server text can hold "[...]", which rich would read as markup). Outside strings
    given to it, tables' cells included, go through `printable` first."""
    return Console(markup=False, highlight=False)


def notice(label: str, message: str, colour: str = "yellow") -> None:
    """One line on stderr: a coloured label, then the message as literal text."""
    err.print(f"[{colour}]{label}[/{colour}] {escape(printable(message))}", highlight=False)


@contextlib.contextmanager
def progress_bar(label: Callable[[str], str] = str) -> Iterator[Callable[[str, int, int], None]]:
    """A transient bar per pipeline step on stderr; yields the library's progress callback."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(printable(label(step)), total=total)
            bar.update(tasks[step], completed=done)

        yield progress


def warn_skipped(skipped: list[Any]) -> None:
    """One warning line per file that was not used, with the reason."""
    for s in skipped:
        notice("Skipped", f"{s.path}: {s.reason}")


def warn(warnings: list[str]) -> None:
    """One "Warning:" line per message on stderr (messages are printed literally)."""
    for warning in warnings:
        notice("Warning:", warning)
