"""The built wheel is complete on its own: installed with `pip install --target` (no sys.prefix
share folder, no source tree beside it), it loads every prompt, identical to prompts/ in the
repository, and carries every module of briefer/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from briefer.model import prompts

from .conftest import ROOT

# What pyproject.toml builds the wheel from (a missing one fails the build, loudly).
BUILD_INPUTS = ("pyproject.toml", "README.md", "briefer", "prompts")
LOAD_EVERY_PROMPT = """
import json, briefer
from briefer.model import prompts
print(json.dumps({
    "briefer": briefer.__file__,
    "prompts": {name: prompts.load(name) for name in prompts.PROMPT_NAMES},
    "version": prompts.version(),
}))
"""


def pip(*args: str | Path, cwd: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """briefer's wheel, built with the venv's setuptools (no download) from a copy of what the
    build reads, so its build/ and egg-info folders do not land in the checkout."""
    source, dist = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    pip("wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", dist, source, cwd=dist)
    (built,) = dist.glob("briefer-*.whl")
    return built


def test_the_wheel_installed_with_target_loads_every_prompt(wheel: Path, tmp_path: Path) -> None:
    target, elsewhere = tmp_path / "target", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip("install", "--no-deps", "--quiet", "--target", target, wheel, cwd=elsewhere)
    # -S: no site-packages, so neither the venv's editable install nor its share/ folder can
    # answer; the only briefer on the path is the one the wheel installed.
    proc = subprocess.run(
        [sys.executable, "-S", "-c", LOAD_EVERY_PROMPT],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=elsewhere,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(target)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout)
    assert Path(got["briefer"]).is_relative_to(target)
    in_repo = sorted(p.name.removesuffix(".md") for p in (ROOT / "prompts").glob("*.md"))
    assert sorted(got["prompts"]) == in_repo
    for name, text in got["prompts"].items():
        assert text == (ROOT / "prompts" / f"{name}.md").read_text(encoding="utf-8").strip()
    assert got["version"] == prompts.version()  # the same cache keys as the source tree


def test_the_wheel_carries_every_module_and_no_share_folder(wheel: Path) -> None:
    """pyproject.toml lists the packages by hand (packages.find cannot map prompts/): a new
    package of briefer/ that is not listed would be left out of every install."""
    names = set(zipfile.ZipFile(wheel).namelist())
    in_repo = {p.relative_to(ROOT).as_posix() for p in (ROOT / "briefer").rglob("*.py")}
    assert in_repo - names == set()
    assert {f"briefer/prompts/{p.name}" for p in (ROOT / "prompts").glob("*.md")} <= names
    templates = ROOT / "briefer" / "render" / "templates"
    assert {p.relative_to(ROOT).as_posix() for p in templates.iterdir()} <= names
    assert [n for n in names if ".data/" in n] == []  # nothing lands outside site-packages
