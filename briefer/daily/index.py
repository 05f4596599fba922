"""The day's index.md: what was briefed (with links), what was only listed, what was left out.

A reader opening the day's folder should see every story, why an article got no briefing
and which sources failed, without reading logs. Titles, outlets, paths, slugs and reasons are
untrusted text and go through `markdown.inline`, file names through `markdown.link_target`; the
index holds no clock time, so an unchanged run leaves it unchanged.
"""

from __future__ import annotations

from ..render.markdown import inline, link_target
from .result import DailyResult


def _link(text: str, target: str) -> str:
    return f"[{inline(text)}]({link_target(target)})"


def render_index(result: DailyResult, window_hours: float) -> str:
    lines = [f"# Briefings for {result.day}", ""]
    briefed = [s for s in result.stories if s.files]
    failed = [s for s in result.stories if not s.files]
    lines.append(f"## Stories ({len(briefed)})")
    lines.append("")
    if not briefed:
        lines.append("No story was covered by enough outlets to brief.")
    for s in briefed:
        first, *others = s.files
        extra = "".join(f" ({_link(f.rsplit('.', 1)[-1], f)})" for f in others)
        lines.append(
            f"- {_link(s.title, first)}{extra}: {len(s.articles)} articles from "
            f"{inline(', '.join(s.outlets))}"
        )
    if failed:
        lines += ["", f"## Not briefed because of an error ({len(failed)})", ""]
        lines += [
            f"- {inline(s.title)} ({inline(s.slug)}): {inline(s.error or 'failed')}" for s in failed
        ]
    if result.earlier:
        lines += ["", "## Briefed in an earlier run today", ""]
        for slug, st in sorted(result.earlier.items()):
            link = _link(st.title, st.files[0]) if st.files else inline(st.title)
            lines.append(f"- {link} ({inline(slug)})")
    if result.singles:
        lines += ["", f"## Single-outlet articles, not briefed ({len(result.singles)})", ""]
        lines += [
            f"- {inline(a.title)}: {inline(a.outlet)} ({inline(a.path)})" for a in result.singles
        ]
    if result.skipped:
        lines += ["", f"## Sources skipped ({len(result.skipped)})", ""]
        lines += [f"- {inline(s.path)}: {inline(s.reason)}" for s in result.skipped]
    if result.duplicates:
        lines += ["", f"## Duplicates left out ({len(result.duplicates)})", ""]
        lines += [f"- {inline(s.path)}: {inline(s.reason)}" for s in result.duplicates]
    lines += [
        "",
        f"_Also left out: {result.too_old} older than the {window_hours:g}-hour window, "
        f"{result.seen_before} briefed on an earlier day._",
    ]
    return "\n".join(lines) + "\n"
