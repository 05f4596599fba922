"""Prompts are files under prompts/ (shipped as the package data briefer.prompts), rendered
with `${name}` placeholders.

Keeping them as files lets people review and tune them without reading code; a missing variable
is a named error instead of a silently broken prompt. The prompt version (a hash of all files)
is in the run record and a daily story's input hash; it is not in the reply cache's keys:
a call's key holds the messages it sends, so only a change to its own step's prompts (or to the
re-ask prompt) pays for a fresh reply (`request.call_key`).

Everything placed in a prompt is data from outside (articles, feeds, model replies fed forward)
and goes through `data`: it can never open or close one of the tags that fence data in the
prompts, and a one-line field can never start a new line or block.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
import string
from functools import cache
from importlib.resources.abc import Traversable

from ..errors import PromptError
from .fence import defuse

PROMPT_NAMES = (
    "analyse.system",
    "analyse.user",
    "synthesise.system",
    "synthesise.user",
    "synthesise.fix",
    "framing.system",
    "framing.user",
    "contrast.system",
    "contrast.user",
    "reask",
    "json_instructions",
)


def prompts_dir() -> Traversable:
    """The prompt files: the package data briefer.prompts (`prompts/` in the repository)."""
    try:
        return importlib.resources.files("briefer.prompts")
    except ModuleNotFoundError as exc:
        raise PromptError(
            "The prompt files (briefer.prompts) are missing: reinstall briefer."
        ) from exc


@cache
def load(name: str) -> str:
    file = prompts_dir() / f"{name}.md"
    try:
        return file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise PromptError(f"Prompt {file} is missing: reinstall briefer.") from exc


# The tags the prompt files fence data with (tests check the files use no other).
DELIMITERS = ("article", "analyses", "candidates", "briefing", "groups", "outlets")
# A run of whitespace holding any line break (\n, \r, \v, \f, NEL, U+2028, U+2029...).
_LINE_BREAK = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")


def data(text: object, *, one_line: bool = False) -> str:
    """`text` made safe to place in a prompt: anything a model could read as an opening or
    closing delimiter tag, look-alikes included, is defused by a backslash after its '<'
    ("</article" becomes "<\\/article"; applying it twice changes nothing; see fence.py), and
    with `one_line` every line break becomes a space, so a title or a model sentence cannot
    start a new line or block. Article bodies keep their lines; ordinary text is unchanged."""
    out = str(text)
    if one_line:
        out = _LINE_BREAK.sub(" ", out)
    return defuse(out, DELIMITERS)


def render(name: str, **values: object) -> str:
    """Fill `${var}` placeholders; every value goes through `data` and is never re-parsed."""
    template = string.Template(load(name))
    try:
        return template.substitute({k: data(v) for k, v in values.items()})
    except KeyError as exc:
        raise PromptError(f"Prompt {name}.md needs variable {exc.args[0]!r}.") from exc
    except ValueError as exc:
        raise PromptError(f"Prompt {name}.md has a malformed placeholder: {exc}.") from exc


@cache
def digest(*names: str) -> str:
    """Short hash of the named prompt files: changes when any of them changes."""
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update(load(name).encode())
    return h.hexdigest()[:10]


def version() -> str:
    """Short hash of every prompt file (the run record's prompt version)."""
    return digest(*PROMPT_NAMES)
