"""Contradictions: compare the outlets' figures for the same thing, then let the model judge.

Small models rarely spot a disagreement across five long analyses, and big ones sometimes pick a
side. So the comparison is split: code finds candidate pairs (sentences from two outlets that
state a figure of the same kind about the same subject, with different values or periods), and
one model call judges each candidate and writes a neutral note. Each side's quote is the
outlet's own sentence, cut from the cleaned article, so it is verbatim by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from ..checks.numbers import measure_spans
from ..model import prompts
from ..model.llm import LLM
from ..schemas import BriefContradiction, ContrastReport, Side
from .analysis import Prepared

CONTRAST_MAX_TOKENS = 900
MAX_CANDIDATES = 6
_BEFORE, _AFTER = 8, 5  # words around a figure that say what it measures and when
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_LABEL = re.compile(r"\bA\d{1,3}\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_PERIOD = re.compile(
    r"\b(quarter|annual(?:ly)?|year|month(?:ly)?|week|daily|(?:19|20)\d\d|"
    r"january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\b",
    re.I,
)
# Words that say nothing about *what* a figure measures.
_STOP = frozenset(
    """
    about above across after again against alone along also although among amid another around
    because been before being below between both but by came can could did does doing down during
    each even ever every for from further had has have having here how however into its itself
    just last least less like made make many more most much must near next nor not now off once
    only other our out over own per same said says see seen should since some still such than that
    the their them then there these they this those though through thus too under until upon very
    was were what when where which while who whom why will with within without would year years
    yet you your the and are new one two three four five six seven eight nine ten percent billion
    million trillion thousand figure figures total overall around nearly almost roughly some
    according reported reports report alone topped top hit hits reached reach surpassing surpassed
    rose rise fell fall grew grow up down
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


@dataclass(frozen=True)
class Mention:
    """One sentence of one article that states a figure."""

    label: str
    outlet: str
    sentence: str
    kind: str
    values: frozenset[float]
    periods: frozenset[str]
    terms: frozenset[str]


@dataclass(frozen=True)
class Candidate:
    """Two outlets' sentences that may state the same measure differently."""

    id: str
    a: Mention
    b: Mention
    shared: tuple[str, ...]


def _clip(sentence: str, limit: int = 45) -> str:
    words = sentence.split()
    return sentence.strip() if len(words) <= limit else " ".join(words[:limit]) + " ..."


def _stem(word: str) -> str:
    """'city's' and 'city' name the same thing."""
    return re.sub(r"['’]s$", "", word)


def mentions(p: Prepared) -> list[Mention]:
    """Each money, percentage or volume figure of one article, with the words around it.

    What a figure measures is usually named just before it ("bilateral trade topped $250
    billion"), so subject words and periods come from a window around the figure, not from the
    whole (often long) sentence.
    """
    out: list[Mention] = []
    for raw in _SENTENCE.split(p.text):
        sentence = raw.strip()
        if not sentence or len(sentence.split()) < 5:
            continue
        for kind, values, start, end in measure_spans(sentence):
            before = " ".join(sentence[:start].split()[-_BEFORE:])
            after = " ".join(sentence[end:].split()[:_AFTER])
            window = f"{before} {after}"
            # Common nouns name what is measured; the story's proper nouns (China, Russia)
            # stand in every sentence and would pair everything with everything.
            terms = {_stem(w) for w in _WORD.findall(window) if w[0].islower()}
            out.append(
                Mention(
                    label=p.label,
                    outlet=p.article.outlet,
                    sentence=sentence,
                    kind=kind,
                    values=frozenset(values),
                    periods=frozenset(m.casefold() for m in _PERIOD.findall(window)),
                    terms=frozenset(t for t in terms if t not in _STOP and len(t) > 3),
                )
            )
    return out


def candidates(prepared: list[Prepared]) -> list[Candidate]:
    """Cross-outlet pairs about the same subject whose figures or periods differ.

    Best-supported pairs first; at most MAX_CANDIDATES, and at most one per pair of articles
    and kind of figure, so one noisy pair of articles cannot crowd out the rest.
    """
    per_article = {p.label: mentions(p) for p in prepared}
    scored: list[tuple[int, Candidate]] = []
    for ma, mb in combinations(per_article.values(), 2):
        best: dict[str, tuple[int, Mention, Mention, tuple[str, ...]]] = {}
        for x in ma:
            for y in mb:
                if x.kind != y.kind:
                    continue
                shared = tuple(sorted(x.terms & y.terms))
                if len(shared) < 2:
                    continue
                if x.values == y.values and x.periods == y.periods:
                    continue  # the same figure for the same period: they agree
                score = len(shared)
                if x.kind not in best or score > best[x.kind][0]:
                    best[x.kind] = (score, x, y, shared)
        for score, x, y, shared in best.values():
            scored.append((score, Candidate(id="", a=x, b=y, shared=shared)))
    scored.sort(key=lambda sc: (-sc[0], sc[1].a.label, sc[1].b.label, sc[1].a.sentence))
    return [
        Candidate(id=f"C{i}", a=c.a, b=c.b, shared=c.shared)
        for i, (_, c) in enumerate(scored[:MAX_CANDIDATES], start=1)
    ]


def contrast_messages(cands: list[Candidate]) -> tuple[str, str]:
    blocks = []
    for c in cands:
        lines = [
            f"{c.id} (shared subject words: {', '.join(c.shared)})",
            *(f'- {m.label} ({m.outlet}): "{_clip(m.sentence)}"' for m in (c.a, c.b)),
        ]
        blocks.append("\n".join(prompts.data(x, one_line=True) for x in lines))
    ids = ", ".join(c.id for c in cands)
    return prompts.render("contrast.system"), prompts.render(
        "contrast.user", candidates="\n\n".join(blocks), ids=ids
    )


def _outlet_names(note: str, names: dict[str, str]) -> str:
    return _LABEL.sub(lambda m: names.get(m.group(0).upper(), m.group(0)), note)


def contrast(llm: LLM, prepared: list[Prepared]) -> tuple[list[BriefContradiction], int]:
    """Contested points across outlets, and how many candidates the model was asked about.

    No candidates means no call: outlets that never state a comparable figure cost nothing.
    """
    cands = candidates(prepared)
    if not cands:
        return [], 0
    system, user = contrast_messages(cands)
    report = llm.call("contrast", system, user, ContrastReport, CONTRAST_MAX_TOKENS)
    ids = {p.label: p.article.id for p in prepared}
    by_id = {c.id: c for c in cands}
    out: list[BriefContradiction] = []
    seen: set[str] = set()
    for point in report.points:
        cand = by_id.get(point.candidate.strip().upper())
        if cand is None or cand.id in seen or point.verdict != "conflict":
            continue
        seen.add(cand.id)
        # The model names sides by label; the reader knows outlets, not labels.
        note = _outlet_names(point.note, {m.label: m.outlet for m in (cand.a, cand.b)})
        out.append(
            BriefContradiction(
                topic=point.topic.strip() or ", ".join(cand.shared),
                note=note.strip(),
                sides=[
                    Side(article_id=ids[m.label], outlet=m.outlet, quote=_clip(m.sentence))
                    for m in (cand.a, cand.b)
                ],
            )
        )
    return out, len(cands)
