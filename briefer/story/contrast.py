"""Contradictions: compare the outlets' figures for the same thing, then let the model judge.

Small models rarely spot a disagreement across five long analyses, and big ones sometimes pick a
side. So the comparison is split: code finds candidate pairs (sentences from two outlets that
state a figure of the same kind about the same subject, with different values or periods), and
one model call judges each candidate. Each side's quote is the outlet's own sentence, cut from
the cleaned article, so it is verbatim by construction.

The note is composed in code from what each sentence states: "X gives $250 billion for last
quarter; Y gives $240 billion for 2024." (the figure as written, the period phrase nearest to
it, or "with no period given"). The model adds at most one line of context, kept only when it
states no number and names no period that neither sentence gives, calls no differing periods
"the same" (nor equal ones "different"), gives no side a figure or period only the other
states, and says no side is right or wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from ..checks import prose
from ..model import prompts
from ..model.llm import LLM
from ..schemas.briefing import BriefContradiction, Side
from ..schemas.replies import ContrastReport
from ..text.clip import clip
from ..text.numbers import measure_spans, numbers
from ..text.periods import Period, nearest_period, period_spans
from .analysis import Prepared

CONTRAST_MAX_TOKENS = 900
MAX_CANDIDATES = 6
SIDE_WORDS = 45  # a side of a contradiction, in the outlet's words, at most
_BEFORE, _AFTER = 8, 5  # words around a figure that say what it measures and when
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_LABEL = re.compile(r"\bA\d{1,3}\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_TOKEN = re.compile(r"\S+")
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
    figure: str  # as written: "$250 billion"
    period: Period | None  # the period phrase nearest the figure
    terms: frozenset[str]

    @property
    def period_key(self) -> str | None:
        return self.period.key if self.period else None

    def stated(self, name: str) -> str:
        """'NAME gives $250 billion for last quarter' (or '... with no period given')."""
        when = self.period.words if self.period else "with no period given"
        return f"{name} gives {self.figure} {when}"


@dataclass(frozen=True)
class Candidate:
    """Two outlets' sentences that may state the same measure differently."""

    id: str
    a: Mention
    b: Mention
    shared: tuple[str, ...]


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
            lo, hi = _window(sentence, start, end)
            window = f"{sentence[lo:start]} {sentence[end:hi]}"
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
                    figure=sentence[start:end].strip(),
                    period=nearest_period(sentence, start, end, lo, hi),
                    terms=frozenset(t for t in terms if t not in _STOP and len(t) > 3),
                )
            )
    return out


def _window(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Where the _BEFORE words before the figure at sentence[start:end] begin and the _AFTER
    words after it end."""
    before = [m.start() for m in _TOKEN.finditer(sentence, 0, start)][-_BEFORE:]
    after = [m.end() for m in _TOKEN.finditer(sentence, end)][:_AFTER]
    return (before[0] if before else start), (after[-1] if after else end)


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
                if x.values == y.values and x.period_key == y.period_key:
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


def composed_note(a: Mention, b: Mention, name_a: str, name_b: str) -> str:
    """What each side states, in code's words: 'A gives $250 billion for last quarter; B gives
    $240 billion for 2024.'"""
    return f"{a.stated(name_a)}; {b.stated(name_b)}."


def contrast_messages(cands: list[Candidate]) -> tuple[str, str]:
    blocks = []
    for c in cands:
        lines = [
            f"{c.id} (shared subject words: {', '.join(c.shared)})",
            *(f'- {m.label} ({m.outlet}): "{clip(m.sentence, SIDE_WORDS)}"' for m in (c.a, c.b)),
            f"Stated: {composed_note(c.a, c.b, c.a.label, c.b.label)}",
        ]
        blocks.append("\n".join(prompts.data(x, one_line=True) for x in lines))
    ids = ", ".join(c.id for c in cands)
    return prompts.render("contrast.system"), prompts.render(
        "contrast.user", candidates="\n\n".join(blocks), ids=ids
    )


CONTEXT_CHARS = 200
_CLAUSE = re.compile(r"[;.!?]\s+|\s+(?:but|while|whereas|and)\s+|\s*[—–]\s*")
_PERIOD_NOUN = r"(?:periods?|quarters?|years?|months?|weeks?|time\s?frames?|(?:time\s)?spans?)"
_SAME = re.compile(
    rf"\b(?:same|identical|matching|equal)\s+(?:\w+\s+){{0,2}}?{_PERIOD_NOUN}\b"
    rf"|\b{_PERIOD_NOUN}\s+(?:are|is)\s+(?:the\s+)?(?:same|identical|equal)\b",
    re.I,
)
_DIFFERENT = re.compile(
    rf"\b(?:different|differing|distinct)\s+(?:\w+\s+){{0,2}}?{_PERIOD_NOUN}\b"
    rf"|\b{_PERIOD_NOUN}\s+(?:differ|are\s+different)\b",
    re.I,
)
_VERDICT = re.compile(
    r"\b(?:is|are|was|were|seems?|appears?)\s+(?:more\s+|less\s+)?(?:correct|incorrect|wrong|"
    r"right|accurate|inaccurate|mistaken|false|true|reliable|unreliable|misleading)\b",
    re.I,
)


def _named(m: Mention) -> re.Pattern[str]:
    """A side's label or outlet name, as whole words."""
    return re.compile(rf"(?<!\w)(?:{m.label}|{re.escape(m.outlet)})(?!\w)", re.I)


def _unnamed(text: str, a: Mention, b: Mention) -> str:
    """`text` without the sides' labels and outlet names (a name such as '000_3772...' is not
    a number the line states)."""
    for m in (a, b):
        text = _named(m).sub(" ", text)
    return text


def _misattributed(line: str, a: Mention, b: Mention) -> bool:
    """A clause naming one side gives it a number or period only the other side states."""
    for clause in _CLAUSE.split(line):
        named = [m for m in (a, b) if _named(m).search(clause)]
        if len(named) != 1:
            continue
        (side,) = named
        rest = _unnamed(clause, a, b)
        own_periods = {p.key for p in period_spans(side.sentence)}
        if not numbers(rest) <= numbers(side.sentence) or any(
            p.key not in own_periods for p in period_spans(rest)
        ):
            return True
    return False


def context_problem(line: str, a: Mention, b: Mention) -> str | None:
    """Why the model's context line cannot stand next to the composed words, or None."""
    if len(line) > CONTEXT_CHARS or line.endswith(("...", "…")):
        return "too long or cut"
    if any(m.group(0).upper() not in (a.label, b.label) for m in _LABEL.finditer(line)):
        return "names another article"
    plain = _unnamed(line, a, b)
    stated = numbers(a.sentence) | numbers(b.sentence)
    if any(n not in stated for n in numbers(plain)):
        return "states a number neither side gives"
    known = {p.key for p in (*period_spans(a.sentence), *period_spans(b.sentence))}
    if any(p.key not in known for p in period_spans(plain)):
        return "names a period neither side gives"
    same_period = a.period_key is not None and a.period_key == b.period_key
    both_known = a.period_key is not None and b.period_key is not None
    if _SAME.search(plain) and not same_period:
        return "calls the periods the same"
    if _DIFFERENT.search(plain) and not (both_known and not same_period):
        return "calls the periods different"
    if _VERDICT.search(plain):
        return "picks a side"
    if _misattributed(line, a, b):
        return "gives one side the other's figure or period"
    if prose.near_duplicate(line, [composed_note(a, b, a.label, b.label)]):
        return "only repeats the composed note"
    return None


def _context(raw: str, cand: Candidate) -> str:
    """The model's context line if it passes `context_problem`, else ''."""
    line = next((x.strip() for x in raw.splitlines() if x.strip()), "")
    if not line or context_problem(line, cand.a, cand.b) is not None:
        return ""
    return line


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
        a, b = cand.a, cand.b
        # The model names sides by label; the reader knows outlets, not labels.
        context = _outlet_names(
            _context(point.context, cand), {a.label: a.outlet, b.label: b.outlet}
        )
        note = " ".join(x for x in (composed_note(a, b, a.outlet, b.outlet), context) if x)
        out.append(
            BriefContradiction(
                topic=point.topic.strip() or ", ".join(cand.shared),
                note=note,
                sides=[
                    Side(
                        article_id=ids[m.label], outlet=m.outlet, quote=clip(m.sentence, SIDE_WORDS)
                    )
                    for m in (a, b)
                ],
            )
        )
    return out, len(cands)
