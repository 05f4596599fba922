"""The CLI: parse, call the library, print. Errors become one sentence and exit code 1
(`one_sentence`, around every command).

The commands are plain functions in `brief` (brief, estimate, doctor, log, models) and `daily`
(init, daily, schedule), sharing `common`; they are registered here, in `--help` order. Each
command imports the library inside its body, so `briefer --help` stays fast.
"""

from __future__ import annotations

import typer

from . import brief, daily
from .common import global_options, one_sentence

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Turn news articles about one story into a briefing you can trust.",
)
app.callback()(global_options)
for command in (
    brief.brief,
    brief.estimate,
    brief.doctor,
    brief.log,
    brief.models,
    daily.init,
    daily.daily,
    daily.schedule,
):
    app.command()(one_sentence(command))


def main() -> None:
    app()
