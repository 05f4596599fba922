"""CLI commands for scheduled runs: `init`, `daily`, `schedule` (registered in cli/__init__.py).

Exit codes of `daily`, for cron and systemd: 0 done (new briefings written), 3 nothing new,
1 failed (and any error), and 0 with a message when another run holds the lock.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from .common import (
    BaseUrlOpt,
    ModelOpt,
    NoCacheOpt,
    echo,
    note,
    notice,
    progress_bar,
    warn_skipped,
)

EXIT_CODES = {"done": 0, "nothing_new": 3, "failed": 1, "locked": 0}

DailyConfigOpt = Annotated[
    Path, typer.Option("--config", "-c", help="The daily config file (see `briefer init`).")
]


def init(
    path: Annotated[Path, typer.Argument(help="Where to write it.")] = Path("briefer.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented example briefer.toml for `briefer daily`."""
    from ..atomic import write_atomic
    from ..daily.config import EXAMPLE

    if path.exists() and not force:
        raise UserError(f"{path} already exists; edit it, or pass --force to overwrite it.")
    write_atomic(path, EXAMPLE)
    note(
        f"Wrote {path}: list your sources under [sources], then run "
        f"`briefer daily --config {path}` (or `briefer schedule --cron --config {path}`)."
    )


def daily(
    config: DailyConfigOpt = Path("briefer.toml"),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Brief today's stories into OUTPUT/YYYY-MM-DD/ (exit 0 done, 3 nothing new, 1 failed)."""
    from ..daily.config import load, model_settings
    from ..daily.run import run_daily
    from ..local import embedded

    cfg = load(config)
    settings = model_settings(
        cfg, {"model": model, "base_url": base_url, "cache": False if no_cache else None}
    )
    with progress_bar() as progress:
        result = run_daily(
            cfg,
            settings,
            datetime.now().astimezone(),
            endpoint=lambda s: embedded.endpoint(s, cfg.model.local_model, notify=note),
            notify=note,
            progress=progress,
        )
    warn_skipped(result.skipped)
    for story in result.stories:
        if story.error:
            notice("Not briefed", f"{story.slug}: {story.error}", "red")
    echo(result.message)
    raise typer.Exit(EXIT_CODES[result.status])


def schedule(
    cron: Annotated[bool, typer.Option("--cron", help="Print a crontab line.")] = False,
    systemd: Annotated[
        bool, typer.Option("--systemd", help="Print a systemd user service and timer.")
    ] = False,
    config: DailyConfigOpt = Path("briefer.toml"),
    at: Annotated[str, typer.Option("--at", help="Time of day, HH:MM.")] = "06:30",
    env_file: Annotated[
        Path | None, typer.Option("--env-file", help="File with OPENAI_API_KEY=... lines.")
    ] = None,
    log_file: Annotated[
        Path | None, typer.Option("--log-file", help="Where cron appends the output.")
    ] = None,
) -> None:
    """Print a ready crontab line (--cron) or systemd units (--systemd) for `briefer daily`."""
    from ..daily.config import load
    from ..daily.schedule import (
        Recipe,
        briefer_command,
        crontab_line,
        default_env_file,
        default_log_file,
        parse_at,
        systemd_text,
    )
    from ..settings import find_home

    if cron == systemd:
        raise UserError("Pass exactly one of --cron or --systemd.")
    hour, minute = parse_at(at)
    load(config)  # a broken config should fail now, not at 6 a.m.
    home = find_home()
    recipe = Recipe(
        command=tuple(briefer_command()),
        config=config.expanduser().resolve(),
        env_file=(env_file or default_env_file(home)).expanduser().absolute(),
        log_file=(log_file or default_log_file(home)).expanduser().absolute(),
        hour=hour,
        minute=minute,
    )
    if cron:
        recipe.log_file.parent.mkdir(parents=True, exist_ok=True)
        typer.echo(crontab_line(recipe))
        note(
            f"Add it with: (crontab -l 2>/dev/null; briefer schedule --cron --config {config}) "
            f"| crontab -   (key in {recipe.env_file}, output in {recipe.log_file})"
        )
    else:
        typer.echo(systemd_text(recipe), nl=False)
