"""Scheduling recipes: a crontab line or a systemd user service + timer for `briefer daily`.

Schedulers run with an empty environment and no shell profile, so everything is absolute:
the `briefer` script of this installation, the config file, an environment file for the API
key (kept out of briefer.toml and out of the crontab), and where the log goes. Exit code 3
("nothing new") is success to both recipes; only a failure produces cron mail.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..settings import Home

UNIT = "briefer-daily"
NOTHING_NEW_EXIT = 3
_AT = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def briefer_command() -> list[str]:
    """This installation's `briefer` script (beside its Python), else `python -m briefer`."""
    python = Path(sys.executable).absolute()
    script = python.parent / "briefer"
    return [str(script)] if script.is_file() else [str(python), "-m", "briefer"]


def default_env_file(home: Home) -> Path:
    """Where the key lives: `env` beside config.toml (~/.config/briefer/env on Linux)."""
    return home.config_dir / "env"


def default_log_file(home: Home) -> Path:
    """Where cron appends the output: `daily.log` in the state's log folder."""
    return home.log_dir / "daily.log"


def parse_at(value: str) -> tuple[int, int]:
    """'06:30' -> (6, 30); raises UserError naming the expected form."""
    m = _AT.match(value.strip())
    if not m:
        raise UserError(f"--at {value!r}: give the time of day as HH:MM, e.g. 06:30.")
    return int(m.group(1)), int(m.group(2))


@dataclass(frozen=True)
class Recipe:
    """What both schedulers need to know; every path absolute."""

    command: tuple[str, ...]
    config: Path
    env_file: Path
    log_file: Path
    hour: int = 6
    minute: int = 30

    def args(self) -> list[str]:
        return [*self.command, "daily", "--config", str(self.config)]


def crontab_line(r: Recipe) -> str:
    """One crontab line: load the env file if present, append to the log, and print the log's
    tail (which cron mails) only when the run failed, not when there was nothing new."""
    env = shlex.quote(str(r.env_file))
    log = shlex.quote(str(r.log_file))
    run = " ".join(shlex.quote(a) for a in r.args())
    line = (
        f"{r.minute} {r.hour} * * * set -a; [ ! -r {env} ] || . {env}; set +a; "
        f"{run} >>{log} 2>&1 || [ $? -eq {NOTHING_NEW_EXIT} ] || tail -n 20 {log}"
    )
    return line.replace("%", "\\%")  # cron turns a bare % into a newline


def _unit_escape(text: str) -> str:
    return text.replace("%", "%%")


def _unit_quote(arg: str) -> str:
    """One ExecStart argument: specifiers and variables escaped, quoted when needed."""
    arg = _unit_escape(arg).replace("$", "$$")
    if re.search(r"[\s\"'\\;]", arg):
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return arg


def systemd_units(r: Recipe) -> dict[str, str]:
    """The user service and timer, by file name (for ~/.config/systemd/user/)."""
    service = f"""\
[Unit]
Description=briefer daily briefings ({_unit_escape(str(r.config))})

[Service]
Type=oneshot
# The API key (OPENAI_API_KEY=...); the leading '-' lets the embedded model run without one.
EnvironmentFile=-{_unit_escape(str(r.env_file))}
ExecStart={" ".join(_unit_quote(a) for a in r.args())}
# Exit 3 means "nothing new", not a failure; 1 is a failure and marks the unit failed.
SuccessExitStatus={NOTHING_NEW_EXIT}
# Logs: journalctl --user -u {UNIT}
StandardOutput=journal
StandardError=journal
Nice=10
"""
    timer = f"""\
[Unit]
Description=Run briefer daily briefings every morning

[Timer]
OnCalendar=*-*-* {r.hour:02d}:{r.minute:02d}:00
# A run missed while the machine was off happens at the next boot.
Persistent=true

[Install]
WantedBy=timers.target
"""
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def systemd_text(r: Recipe) -> str:
    """Both units with where to save them and how to enable them."""
    folder = "~/.config/systemd/user"
    out = []
    for name, text in systemd_units(r).items():
        out.append(f"# ---- {folder}/{name} ----\n{text}")
    out.append(
        "# ---- then ----\n"
        f"# systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer\n"
        '# loginctl enable-linger "$USER"   # keep the timer running while you are logged out\n'
        f"# journalctl --user -u {UNIT}      # the runs' output\n"
    )
    return "\n".join(out)
