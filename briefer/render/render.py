"""Render a Briefing as Markdown (for people) or JSON (the full model plus run metadata).

Everything that came from an article, a feed, a path, the settings or the model goes through
`markdown.inline`: it stays one line of literal text and cannot turn into a heading, a list
item, a link or live HTML in whatever renders the Markdown.
"""

from __future__ import annotations

from ..schemas.briefing import Briefing, OutletComparison
from .markdown import inline

Numbers = dict[str, int]  # article id -> its number in the Sources list


def _refs(ids: list[str], numbers: Numbers, flags: list[str] | None = None) -> str:
    refs = "".join(f"[{numbers[i]}]" for i in ids if i in numbers)
    return refs + (" ⚠ unverified" if flags else "")


def _header(b: Briefing) -> list[str]:
    outlets = ", ".join(inline(s.outlet) for s in b.sources)
    v = b.verification
    return [
        f"# {inline(b.title)}",
        "",
        f"_{len(b.sources)} articles: {outlets}. Quotes verified: {v.quotes_verified}/"
        f"{v.quotes_total}; numbers verified: {v.numbers_verified}/{v.numbers_total}; "
        f"citations valid: {v.citations_valid}/{v.citations_total}._",
        "",
    ]


def _summary(b: Briefing, numbers: Numbers) -> list[str]:
    """The summary in paragraphs of three sentences, each with its citations."""
    out = ["## Summary", ""]
    sentences = [f"{inline(s.text)} {_refs(s.citations, numbers, s.flags)}" for s in b.summary]
    for i in range(0, len(sentences), 3):
        out += [" ".join(sentences[i : i + 3]), ""]
    return out


def _takeaways(b: Briefing, numbers: Numbers) -> list[str]:
    out = ["## Key takeaways", ""]
    if not b.takeaways:
        out += ["None passed the checks (see the run section for why each was dropped).", ""]
    out += [
        f"{t.rank}. {inline(t.text)} {_refs(t.citations, numbers, t.flags)}" for t in b.takeaways
    ]
    return [*out, ""]


def _contradictions(b: Briefing, numbers: Numbers) -> list[str]:
    out = ["## Where outlets disagree", ""]
    if not b.contradictions:
        out += ["No contradictions between outlets were found and verified.", ""]
    for c in b.contradictions:
        out += [f"### {inline(c.topic)}", ""]
        out += [
            f"- **{inline(s.outlet)}** {_refs([s.article_id], numbers)}: “{inline(s.quote)}”"
            for s in c.sides
        ]
        out += ["", f"_{inline(c.note)}_", ""]
    return out


def _kind(o: OutletComparison) -> str:
    """The article's kind: an opinion piece by the model's genre or by its own voice."""
    kind = "**opinion piece**" if o.opinion_piece else o.genre.replace("_", " ")
    if o.opinion_piece and o.genre != "opinion":
        kind += f" (model said {o.genre.replace('_', ' ')})"
    return kind


def _outlet(o: OutletComparison, numbers: Numbers) -> list[str]:
    """One outlet's section: kind and tone, own voice, framing, lead, what only it reports, what
    it leaves out, quotes and loaded wording (each line only when there is something to show)."""
    out = [
        f"### [{numbers[o.article_id]}] {_name(o.outlet, o.title)}",
        "",
        f"- **Kind and tone:** {_kind(o)}, {inline(o.tone)}; the writer's own view in "
        f"{o.claims.get('opinion', 0)} of {sum(o.claims.values())} claims "
        f"({o.opinion_share:.0%})",
    ]
    if o.voice_examples:
        examples = "; ".join(f"“{inline(x)} …”" for x in o.voice_examples)
        out.append(
            f"- **Writer's own voice:** {o.first_person_markers} first-person or "
            f"reader-address markers, e.g. {examples}"
        )
    out.append(f"- **Framing:** {inline(o.framing)}")
    if o.lead and o.framing_by_model:  # a composed framing line already quotes the lead
        out.append(f"- **Leads with:** “{inline(o.lead)}”")
    if o.only_here:
        out.append(f"- **Only here:** {'; '.join(inline(x) for x in o.only_here)}")
    if o.omissions:
        out.append(f"- **Leaves out:** {'; '.join(inline(x) for x in o.omissions)}")
    if o.quoted_sources:
        quoted = "; ".join(f"{inline(q.who)}: “{inline(q.quote)}”" for q in o.quoted_sources)
        out.append(f"- **Quotes:** {quoted}")
    if o.loaded_wording:
        loaded = "; ".join(
            f"“{inline(w.quote)}” (neutral: {inline(w.neutral)})" for w in o.loaded_wording
        )
        out.append(f"- **Loaded wording:** {loaded}")
    return [*out, ""]


def display_name(outlet: str, title: str) -> str:
    """ "Outlet: title", or the title alone when the outlet is only the title shortened."""
    if title.startswith(outlet.rstrip("…").rstrip()):
        return title
    return f"{outlet}: {title}"


def _name(outlet: str, title: str) -> str:
    return inline(display_name(outlet, title))


def _sources(b: Briefing, numbers: Numbers) -> list[str]:
    out = ["## Sources", ""]
    for s in b.sources:
        where = inline(s.url or s.path)
        out.append(f"{numbers[s.id]}. {_name(s.outlet, s.title)} ({where}, id {inline(s.id)})")
    return out


def _verification_and_run(b: Briefing) -> list[str]:
    """What the checks found, what the run cost, what was skipped and every warning."""
    v, r = b.verification, b.run
    out = [
        "",
        "## Verification and run",
        "",
        f"- Quotes verified: {v.quotes_verified}/{v.quotes_total}; numbers verified: "
        f"{v.numbers_verified}/{v.numbers_total}; citations valid: {v.citations_valid}/"
        f"{v.citations_total}, supported: {v.citations_supported}; items removed: "
        f"{v.items_dropped}",
        f"- Contradictions: {len(b.contradictions)} confirmed of "
        f"{v.contradiction_candidates} candidate figure pairs; summary sentences re-asked: "
        f"{v.sentence_reasks}",
    ]
    out += [f"  - {inline(f)}" for f in v.flagged]
    cost = f"${r.cost_usd:.4f}" if r.cost_usd is not None else "unknown"
    out += [
        f"- Model {inline(r.model)} at {inline(r.endpoint)} ({inline(r.structured_output)}); "
        f"prompts {inline(r.prompt_version)}",
        f"- Model calls: {r.model_calls} (+{r.cached_calls} from cache); tokens: "
        f"{r.prompt_tokens} prompt + {r.completion_tokens} completion; cost: {cost}; wall time "
        f"{r.wall_seconds:.1f}s",
        f"- Article tokens before/after cleaning: {r.tokens_before_clean}/{r.tokens_after_clean}",
    ]
    out += [f"- Skipped {inline(s.path)}: {inline(s.reason)}" for s in r.skipped]
    out += [f"- Warning: {inline(w)}" for w in r.warnings]
    return out


def to_markdown(b: Briefing) -> str:
    """The briefing for people: summary, takeaways, disagreements, one section per outlet,
    the numbered sources, then the verification and run record."""
    numbers = {s.id: n for n, s in enumerate(b.sources, start=1)}
    out = [
        *_header(b),
        *_summary(b, numbers),
        *_takeaways(b, numbers),
        *_contradictions(b, numbers),
        "## Outlet comparison",
        "",
    ]
    for o in b.outlets:
        out += _outlet(o, numbers)
    out += [*_sources(b, numbers), *_verification_and_run(b)]
    return "\n".join(out).rstrip() + "\n"


def to_json(b: Briefing) -> str:
    return b.model_dump_json(indent=2) + "\n"
