"""Scheduling recipes: the crontab line really runs under sh (key loaded, output logged, mail
only on failure), the systemd units are complete, and `init` / `schedule` behave on the CLI."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefer.cli import app
from briefer.daily.config import EXAMPLE, load
from briefer.daily.schedule import (
    Recipe,
    briefer_command,
    crontab_line,
    default_env_file,
    default_log_file,
    parse_at,
    systemd_units,
)
from briefer.errors import UserError
from briefer.settings import find_home

runner = CliRunner()


def fake_briefer(tmp_path: Path) -> Path:
    """Stands in for the briefer script: prints the key it sees, exits with $EXIT."""
    script = tmp_path / "bin dir" / "briefer"
    script.parent.mkdir()
    script.write_text('#!/bin/sh\necho "args: $*"\necho "key: $OPENAI_API_KEY"\nexit "$EXIT"\n')
    script.chmod(0o755)
    return script


def recipe(tmp_path: Path, script: Path) -> Recipe:
    return Recipe(
        command=(str(script),),
        config=tmp_path / "my configs" / "briefer.toml",
        env_file=tmp_path / "env",
        log_file=tmp_path / "logs" / "daily.log",
        hour=6,
        minute=5,
    )


def run_cron_command(line: str, exit_code: int) -> subprocess.CompletedProcess[str]:
    """What cron does with the line: the command part through /bin/sh, in a bare environment."""
    command = line.split(" ", 5)[5].replace("\\%", "%")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "EXIT": str(exit_code)}
    return subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True)


def test_crontab_line_logs_the_run_and_mails_only_failures(tmp_path: Path) -> None:
    script = fake_briefer(tmp_path)
    r = recipe(tmp_path, script)
    r.log_file.parent.mkdir()
    r.env_file.write_text("OPENAI_API_KEY=sk-from-env-file\n")
    line = crontab_line(r)
    assert line.startswith("5 6 * * * ")
    assert shlex.quote(str(r.config)) in line and str(script.parent) in line

    for code, mailed in ((0, False), (3, False), (1, True)):
        done = run_cron_command(line, code)
        assert done.stderr == ""
        assert bool(done.stdout) is mailed, (code, done.stdout)
    log = r.log_file.read_text()
    assert log.count(f"args: daily --config {r.config}") == 3
    assert log.count("key: sk-from-env-file") == 3
    assert "key: sk-from-env-file" in run_cron_command(line, 1).stdout

    # Without an env file (the embedded model needs no key) the run still happens.
    r.env_file.unlink()
    assert run_cron_command(line, 0).returncode == 0
    assert r.log_file.read_text().count("args: daily") == 5


def test_crontab_line_escapes_percent_signs(tmp_path: Path) -> None:
    r = recipe(tmp_path, tmp_path / "briefer")
    r = Recipe(r.command, tmp_path / "100%" / "briefer.toml", r.env_file, r.log_file)
    line = crontab_line(r)
    assert "100\\%" in line and "100%" not in line.replace("100\\%", "")


def test_systemd_units_run_daily_with_the_env_file_and_accept_nothing_new(tmp_path: Path) -> None:
    r = recipe(tmp_path, tmp_path / "bin dir" / "briefer")
    units = systemd_units(r)
    service, timer = units["briefer-daily.service"], units["briefer-daily.timer"]
    assert f"EnvironmentFile=-{r.env_file}\n" in service
    config = f'"{tmp_path}/my configs/briefer.toml"'
    assert f'ExecStart="{tmp_path}/bin dir/briefer" daily --config {config}\n' in service
    assert "Type=oneshot" in service and "SuccessExitStatus=3" in service
    assert "StandardOutput=journal" in service
    assert "OnCalendar=*-*-* 06:05:00" in timer and "Persistent=true" in timer
    assert "WantedBy=timers.target" in timer


def test_paths_default_to_this_installation_and_briefer_home(tmp_path: Path) -> None:
    command = briefer_command()
    assert Path(command[0]).is_absolute()
    assert command[1:] in ([], ["-m", "briefer"])
    if not command[1:]:
        assert Path(command[0]).parent == Path(sys.executable).absolute().parent
    home = Path(os.environ["BRIEFER_HOME"])
    assert default_env_file(find_home()) == home / "env"
    assert default_log_file(find_home()) == home / "logs" / "daily.log"


def test_parse_at() -> None:
    assert parse_at("06:30") == (6, 30) and parse_at("23:59") == (23, 59)
    for bad in ("24:00", "6", "06:60", "six"):
        with pytest.raises(UserError, match="HH:MM"):
            parse_at(bad)


def test_init_writes_a_valid_example_and_never_overwrites_silently(tmp_path: Path) -> None:
    path = tmp_path / "briefer.toml"
    result = runner.invoke(app, ["init", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_text() == EXAMPLE
    assert load(path).output == tmp_path / "briefings"
    path.write_text("# mine\n")
    result = runner.invoke(app, ["init", str(path)])
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert path.read_text() == "# mine\n"
    assert runner.invoke(app, ["init", str(path), "--force"]).exit_code == 0
    assert path.read_text() == EXAMPLE


def test_schedule_cli_prints_a_crontab_line_for_a_valid_config(tmp_path: Path) -> None:
    config = tmp_path / "briefer.toml"
    config.write_text(EXAMPLE)
    result = runner.invoke(app, ["schedule", "--cron", "--config", str(config), "--at", "07:15"])
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert "\n" not in line and line.startswith("15 7 * * * ")
    assert f"daily --config {config}" in line
    assert "| crontab -" in result.stderr
    assert (Path(os.environ["BRIEFER_HOME"]) / "logs").is_dir()

    result = runner.invoke(app, ["schedule", "--systemd", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "# ---- ~/.config/systemd/user/briefer-daily.service ----" in result.stdout
    assert "systemctl --user enable --now briefer-daily.timer" in result.stdout


def test_schedule_cli_refuses_a_broken_config_or_unclear_request(tmp_path: Path) -> None:
    config = tmp_path / "briefer.toml"
    config.write_text('output = "out"\n[sources]\nfolderz = ["a"]\n')
    result = runner.invoke(app, ["schedule", "--cron", "--config", str(config)])
    assert result.exit_code == 1 and "line 3: unknown key 'sources.folderz'" in result.stderr
    config.write_text(EXAMPLE)
    for args in ([], ["--cron", "--systemd"]):
        result = runner.invoke(app, ["schedule", *args, "--config", str(config)])
        assert result.exit_code == 1 and "exactly one of --cron or --systemd" in result.stderr
