"""The README's command reference is the CLI's own, so it cannot drift.

The section between the markers below is rendered from the typer app (every command, argument
and option with its help text), and the README must hold exactly that: a new, renamed or
removed option fails here until the README follows. `python tests/test_readme_cli.py` rewrites
the section from the CLI. The README's examples elsewhere may use only options their command
has.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path

import typer
import typer.core
import typer.main
from typer.testing import CliRunner

from briefer.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN = "<!-- command reference: generated from the CLI by `python tests/test_readme_cli.py` -->"
END = "<!-- end of the generated command reference -->"
INVOCATION = re.compile(r"\bbriefer ([a-z]+)\b([^`#|;)\n]*)")
FLAG = re.compile(r"(?<![\w-])(--?[a-z][a-z0-9-]*)")


HELP_OPTION = re.compile(r"^│ (--[a-z][a-z0-9-]*)(?:\s+(-[a-zA-Z]))?\s", re.M)
HELP_COMMAND = re.compile(r"^│ ([a-z]+)\s{2,}\S", re.M)


def _group() -> typer.core.TyperGroup:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return group


def _commands() -> dict[str, typer.core.TyperCommand]:
    group = _group()
    ctx = typer.Context(group, info_name="briefer")
    found = {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}
    return {
        name: cmd
        for name, cmd in found.items()
        if isinstance(cmd, typer.core.TyperCommand) and not cmd.hidden
    }


def _one_line(text: str | None) -> str:
    """The first paragraph of a help text, on one line."""
    return " ".join((text or "").strip().split("\n\n")[0].split())


def _argument(param: typer.core.TyperArgument) -> str:
    name = (param.name or "").upper() + ("..." if param.nargs == -1 else "")
    return name if param.required else f"[{name}]"


def _params(params: Sequence[object]) -> list[str]:
    lines = []
    for param in params:
        if isinstance(param, typer.core.TyperOption) and not param.hidden:
            names = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
            lines.append(f"- {names}: {_one_line(param.help)}")
        elif isinstance(param, typer.core.TyperArgument):
            lines.append(f"- `{_argument(param)}`: {_one_line(param.help)}")
    return lines


def render() -> str:
    """The command reference as the CLI defines it."""
    group = _group()
    lines = [BEGIN, "", "`briefer [OPTIONS] COMMAND`", "", _one_line(group.help), ""]
    lines += [*_params(group.params), ""]
    for name, cmd in _commands().items():
        args = [_argument(p) for p in cmd.params if isinstance(p, typer.core.TyperArgument)]
        usage = " ".join(["briefer", name, "[OPTIONS]", *args])
        lines += [f"### briefer {name}", "", f"`{usage}`", "", _one_line(cmd.help), ""]
        lines += [*_params(cmd.params), ""] if _params(cmd.params) else []
    return "\n".join([*lines, END])


def readme_section(text: str) -> str:
    start, end = text.find(BEGIN), text.find(END)
    assert start >= 0 and end > start, f"README.md has no generated command reference ({BEGIN})"
    return text[start : end + len(END)]


def unknown_options(text: str, commands: dict[str, typer.core.TyperCommand]) -> list[str]:
    """Options the README's `briefer COMMAND ...` examples use that COMMAND does not have."""
    unknown = []
    for match in INVOCATION.finditer(text):
        cmd = commands.get(match.group(1))
        if cmd is None:
            continue  # prose ("briefer never invents one"), not a command
        known = {opt for p in cmd.params for opt in [*p.opts, *p.secondary_opts]}
        unknown += [
            f"briefer {match.group(1)} {flag}"
            for flag in FLAG.findall(match.group(2))
            if flag not in known | {"--help"}
        ]
    return unknown


def test_the_readme_command_reference_is_the_clis_own() -> None:
    section, expected = readme_section(README.read_text(encoding="utf-8")), render()
    diff = "\n".join(difflib.unified_diff(section.splitlines(), expected.splitlines(), lineterm=""))
    assert section == expected, f"run `python tests/test_readme_cli.py`:\n{diff}"


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_and_option_of_the_cli_is_in_the_reference() -> None:
    """Judged by what `briefer --help` and `briefer COMMAND --help` show, not by render()."""
    section = readme_section(README.read_text(encoding="utf-8"))
    parts = re.split(r"^### briefer ([a-z]+)$", section, flags=re.M)
    bodies = dict(zip(parts[1::2], parts[2::2], strict=True))
    root = _help()
    listed = HELP_COMMAND.findall(root.partition("─ Commands ─")[2])
    assert len(listed) >= 8 and set(bodies) == set(listed), (sorted(bodies), listed)
    for name in listed:
        shown = [f for row in HELP_OPTION.findall(_help(name)) for f in row if f]
        assert "--help" in shown, f"no options read from `briefer {name} --help`"
        missing = [f for f in shown if f != "--help" and f"`{f}`" not in bodies[name]]
        assert not missing, f"briefer {name}: {missing} not in the README's reference"
    shown = [f for row in HELP_OPTION.findall(root.partition("─ Commands ─")[0]) for f in row if f]
    assert {"--version", "--debug"} <= set(shown), shown
    assert all(f"`{f}`" in parts[0] for f in shown if f != "--help")


def test_the_readme_names_no_option_its_command_lacks() -> None:
    assert unknown_options(README.read_text(encoding="utf-8"), _commands()) == []


def test_an_option_the_command_lacks_is_found() -> None:
    """The check above can fail: a made-up flag, or another command's, is reported."""
    text = "`briefer brief seeds/ --frobnicate -o x.md` and `briefer log --strict`, briefer never"
    assert unknown_options(text, _commands()) == [
        "briefer brief --frobnicate",
        "briefer log --strict",
    ]


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    README.write_text(text.replace(readme_section(text), render()), encoding="utf-8")
