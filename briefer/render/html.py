"""Render a Briefing as one self-contained HTML page (briefing.html under templates/).

The summary comes first, each citation a link to the sentence of the article it rests on; the
articles' own texts are embedded at the end with every cited sentence, contradiction side,
quote and loaded phrase highlighted in place. Where outlets disagree, the sides stand next to
each other; a grid shows which outlet reports which fact; a card per outlet tells how it told
the story. Everything is escaped by the template engine (briefer/render/templating.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..schemas.briefing import Briefing, Cited, OutletComparison, SourceRef, Verification
from .passages import Piece, anchors
from .render import display_name
from .templating import page


@dataclass
class PageArticle:
    """One source as the page shows it: its number, its text in pieces, its anchors (not the
    input article of ingest/files.py: this is its rendering, numbered as in the Sources list)."""

    number: int
    source: SourceRef
    name: str
    pieces: list[Piece] = field(default_factory=list)
    anchors: dict[str, str] = field(default_factory=dict)  # passage -> anchor id

    @property
    def id(self) -> str:
        return f"a{self.number}"

    def href(self, passage: str) -> str:
        """The link to a passage of this article: its mark, else the article itself."""
        return f"#{self.anchors.get(passage, self.id)}"


@dataclass(frozen=True)
class Cite:
    number: int
    outlet: str
    href: str
    passage: str  # what the link opens ('' when it opens the article's top)


@dataclass(frozen=True)
class Badge:
    label: str
    verified: int
    total: int
    missed: str  # what happened to the rest: "removed" (never shown) or "flagged" (shown, marked)

    @property
    def ok(self) -> bool:
        return self.verified == self.total


def _passages(b: Briefing, article_id: str) -> list[str]:
    """Everything the briefing shows of one article, in the order the page shows it."""
    cited = [c.evidence.get(article_id, "") for c in [*b.summary, *b.takeaways]]
    sides = [s.quote for c in b.contradictions for s in c.sides if s.article_id == article_id]
    grid = [row.reported.get(article_id, "") for row in b.coverage]
    outlet = [o for o in b.outlets if o.article_id == article_id]
    shown = [
        *(o.lead for o in outlet),
        *(q.quote for o in outlet for q in o.quoted_sources),
        *(w.quote for o in outlet for w in o.loaded_wording),
    ]
    return [p for p in [*cited, *sides, *grid, *shown] if p.strip()]


def articles(b: Briefing) -> dict[str, PageArticle]:
    """Each source by article id, numbered as in the Sources list, its passages located."""
    out: dict[str, PageArticle] = {}
    for n, s in enumerate(b.sources, start=1):
        a = PageArticle(number=n, source=s, name=display_name(s.outlet, s.title))
        a.pieces, a.anchors = anchors(s.text, _passages(b, s.id), a.id)
        out[s.id] = a
    return out


def cites(item: Cited, arts: dict[str, PageArticle]) -> list[Cite]:
    """A sentence's citations as links to the passage of each article it rests on."""
    out = []
    for aid in item.citations:
        if aid in arts:
            a, passage = arts[aid], item.evidence.get(aid, "")
            found = passage if passage in a.anchors else ""
            out.append(Cite(a.number, a.source.outlet, a.href(found), found))
    return out


def badges(v: Verification) -> list[Badge]:
    return [
        Badge("Quotes verified", v.quotes_verified, v.quotes_total, "removed"),
        Badge("Numbers verified", v.numbers_verified, v.numbers_total, "flagged"),
        Badge("Citations valid", v.citations_valid, v.citations_total, "flagged"),
    ]


def kind(o: OutletComparison) -> str:
    """The article's kind: an opinion piece by the model's genre or by its own voice."""
    if o.opinion_piece:
        return "Opinion piece"
    return o.genre.replace("_", " ").capitalize()


def to_html(b: Briefing, *, back: tuple[str, str] | None = None) -> str:
    """The briefing as a page; `back` is an optional (link, text) to the page listing it."""
    arts = articles(b)
    summary = [(s, cites(s, arts)) for s in b.summary]
    return page(
        "briefing.html",
        b=b,
        back=back,
        articles=list(arts.values()),
        by_id=arts,
        paragraphs=[summary[i : i + 3] for i in range(0, len(summary), 3)],
        takeaways=[(t, cites(t, arts)) for t in b.takeaways],
        badges=badges(b.verification),
        kind=kind,
    )
