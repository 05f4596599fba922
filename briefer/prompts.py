"""Prompts are files under prompts/, rendered with `${name}` placeholders.

Keeping them as files lets people review and tune them without reading code; a missing variable
is a named error instead of a silently broken prompt. The prompt version (a hash of all files)
is part of every cache key and of the run metadata.
"""

from __future__ import annotations

import hashlib
import os
import string
import sys
from functools import cache
from pathlib import Path

from .errors import PromptError

PROMPT_NAMES = (
    "analyse.system",
    "analyse.user",
    "synthesise.system",
    "synthesise.user",
    "reask",
    "json_instructions",
)


def prompts_dir() -> Path:
    """Where the prompt files are: $BRIEFER_PROMPTS_DIR, the source tree, or the install."""
    env = os.environ.get("BRIEFER_PROMPTS_DIR")
    candidates = [Path(env)] if env else []
    candidates += [
        Path(__file__).resolve().parent.parent / "prompts",
        Path(sys.prefix) / "share" / "briefer" / "prompts",
    ]
    for c in candidates:
        if (c / "analyse.system.md").is_file():
            return c
    raise PromptError(
        "Prompt files not found (looked in "
        + ", ".join(str(c) for c in candidates)
        + "): reinstall briefer or set BRIEFER_PROMPTS_DIR."
    )


@cache
def load(name: str) -> str:
    path = prompts_dir() / f"{name}.md"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise PromptError(f"Prompt {path} is missing: reinstall briefer.") from exc


def render(name: str, **values: object) -> str:
    """Fill `${var}` placeholders; values are inserted as data and never re-parsed."""
    template = string.Template(load(name))
    try:
        return template.substitute({k: str(v) for k, v in values.items()})
    except KeyError as exc:
        raise PromptError(f"Prompt {name}.md needs variable {exc.args[0]!r}.") from exc
    except ValueError as exc:
        raise PromptError(f"Prompt {name}.md has a malformed placeholder: {exc}.") from exc


@cache
def version() -> str:
    """Short hash of every prompt file: changes when any prompt changes."""
    h = hashlib.sha256()
    for name in PROMPT_NAMES:
        h.update(name.encode())
        h.update(load(name).encode())
    return h.hexdigest()[:10]
