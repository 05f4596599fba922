"""Hostile strings for page tests: markup that would run if any of it reached a page raw."""

from __future__ import annotations

from typing import Any

from briefer.schemas.briefing import Briefing

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f'{SCRIPT}{IMG}"><svg onload=alert(1)>'
# Keys whose strings are ids the briefing cross-references, not text a reader sees.
_IDS = {"id", "article_id", "label", "citations", "reported", "evidence", "echoed", "genre"}
SENTENCE = f"The minister said “{SCRIPT}” and {IMG} were harmless."


def _poison(value: Any, key: str = "") -> Any:
    if key in _IDS:
        return value
    if isinstance(value, str):
        return f"{HOSTILE} {value}"
    if isinstance(value, list):
        return [_poison(v) for v in value]
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    return value


def poisoned(b: Briefing) -> Briefing:
    """`b` with hostile markup before every string a reader sees (titles, outlets, model text,
    quotes, article text, paths, warnings), one source's address a javascript: URL, and one
    sentence that carries the markup inside the article, cited and quoted as a contradiction's
    side, so it is highlighted too. `b` must have a contradiction."""
    data = _poison(b.model_dump())
    first = data["sources"][0]
    first["url"] = "javascript:alert(1)"
    first["text"] += f"\n\n{SENTENCE}"
    data["summary"][0]["evidence"][first["id"]] = SENTENCE
    for side in data["contradictions"][0]["sides"][:1]:  # a quoted side: the same sentence
        side["article_id"], side["quote"] = first["id"], SENTENCE
    return Briefing.model_validate(data)
