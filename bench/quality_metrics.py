"""What a reader finds wrong in a briefing, counted in code independent of briefer's own checks.

A briefing is read from its JSON (`briefer brief -f json`) as a `BriefingView`: only the fields
judged here, so the benchmark keeps working while the briefing grows fields. Per briefing:

- cited outlets per summary sentence: the mean number of distinct article ids a summary
  sentence cites (ids the briefing's `sources` list; anything else is not an outlet);
- meta-sentences: summary sentences and takeaways that talk about the text instead of the
  event ("the article", "the author", "this piece", "the report says", "provides an overview",
  "discusses", "highlights the", ...: META_PATTERNS below, each with what it catches);
- near-duplicate pairs among all summary sentences and takeaways: their content words
  (lower-cased words and numbers, stop words dropped) overlap with Jaccard >= 0.6, or the
  smaller one (of at least 3 content words) lies >= 80% inside the other;
- cut sentences (summary sentences and takeaways): ending in "..." or "…" (inside a closing
  quote too), or in neither . ! ? nor a closing quote;
- boilerplate framing lines (`outlets[].framing`): "neutral", "without (any) bias",
  "unbiased", "objective", "balanced", "presents a (neutral|comprehensive) summary/overview",
  "the article discusses/presents/provides", ... (BOILERPLATE_PATTERNS), or an empty line;
- outlets shown by name: the share of the event's outlets that appear, exactly, as a
  `sources[].outlet` (a file stem or a missing article lowers it).
Known limits: the patterns are English and literal, so "the story of the soldiers" counts as
meta and a framing line about a "balanced budget" as boilerplate; read the listed examples.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from pydantic import BaseModel

# What each pattern catches; matched case-insensitively anywhere in the sentence.
META_PATTERNS: dict[str, str] = {
    "names the text or its maker": (
        r"\b(?:the|this|that|each|both|these|its) (?:news )?"
        r"(?:article|articles|piece|pieces|author|authors|writer|writers|outlet|outlets|story"
        r"|text|excerpt)\b"
    ),
    "the report says": (
        r"\b(?:the|this) report (?:says|said|states|stated|notes|noted|claims|argues|suggests"
        r"|mentions|describes)\b"
    ),
    "gives an overview": (
        r"\b(?:provides?|offers?|gives?|presents?) (?:an? |the )?(?:\w+ )?(?:overview|summary)\b"
    ),
    "discusses": r"\bdiscusses\b",
    "highlights the": r"\bhighlights the\b",
    "starts with 'It <verb>s' about the text": (
        r"^\s*it (?:focuses|discusses|describes|argues|highlights|emphasi[sz]es|covers"
        r"|mentions|explores|examines|presents|provides)\b"
    ),
}
BOILERPLATE_PATTERNS: dict[str, str] = {
    "neutral": r"\bneutral(?:ly)?\b",
    "without bias": r"\bwithout (?:any )?bias\b",
    "unbiased / impartial": r"\b(?:unbiased|impartial)\b",
    "objective": r"\bobjective(?:ly)?\b",
    "balanced": r"\bbalanced\b",
    "presents a summary": (
        r"\bpresents? (?:an? )?(?:neutral |comprehensive |brief |factual )?(?:summary|overview)\b"
    ),
    "the article discusses": r"\bthe article (?:discusses|presents|provides)\b",
    "a factual account": r"\bfactual(?:ly)? (?:account|summary|overview|report|reporting|manner)\b",
}
_META = [re.compile(p, re.IGNORECASE) for p in META_PATTERNS.values()]
_BOILERPLATE = [re.compile(p, re.IGNORECASE) for p in BOILERPLATE_PATTERNS.values()]

# NLTK's English stop words, as single words (contractions split at the apostrophe).
_STOP_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now d ll m o re
    ve y ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn
    weren won wouldn
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[a-z0-9]+")
JACCARD = 0.6
CONTAINMENT = 0.8
CONTAINMENT_MIN_WORDS = 3
_CLOSERS = "\"'”’»"
_ENDS = ".!?"


class Statement(BaseModel):
    text: str
    citations: list[str] = []


class SourceView(BaseModel):
    id: str
    outlet: str


class OutletView(BaseModel):
    outlet: str = ""
    framing: str = ""


class BriefingView(BaseModel):
    """The parts of a briefing's JSON that are judged (other fields are ignored)."""

    summary: list[Statement]
    takeaways: list[Statement] = []
    outlets: list[OutletView] = []
    sources: list[SourceView] = []


def is_meta(sentence: str) -> bool:
    """The sentence talks about the text (article, author, outlet) instead of the event."""
    return any(p.search(sentence) for p in _META)


def is_boilerplate(framing: str) -> bool:
    """The framing line says nothing about how the outlet told the story."""
    return not framing.strip() or any(p.search(framing) for p in _BOILERPLATE)


def is_cut(sentence: str) -> bool:
    """The sentence stops short: an ellipsis, or no terminal . ! ? or closing quote."""
    text = sentence.strip()
    if not text or text.rstrip(_CLOSERS).endswith(("...", "…")):
        return True
    return text[-1] not in _ENDS + _CLOSERS


def content_words(sentence: str) -> frozenset[str]:
    """Lower-cased words and numbers, stop words dropped ("Biden's" gives "biden")."""
    return frozenset(w for w in _WORD.findall(sentence.lower()) if w not in STOPWORDS)


def near_duplicate(a: str, b: str) -> bool:
    """The two say the same: content-word Jaccard >= JACCARD, or the smaller (of at least
    CONTAINMENT_MIN_WORDS content words) lies >= CONTAINMENT inside the other."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return False
    shared = len(wa & wb)
    if shared / len(wa | wb) >= JACCARD:
        return True
    smaller = min(len(wa), len(wb))
    return smaller >= CONTAINMENT_MIN_WORDS and shared / smaller >= CONTAINMENT


def near_duplicate_pairs(sentences: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs (i < j) of sentences that are near-duplicates of each other."""
    return [
        (i, j) for (i, a), (j, b) in combinations(enumerate(sentences), 2) if near_duplicate(a, b)
    ]


def cited_outlets(statement: Statement, source_ids: set[str]) -> int:
    """How many distinct articles of the briefing the statement cites."""
    return len(set(statement.citations) & source_ids)


def named_share(view: BriefingView, event_outlets: Sequence[str]) -> float:
    """The share of the event's outlets shown by their name as a source's outlet."""
    wanted = {o.strip() for o in event_outlets}
    shown = {s.outlet.strip() for s in view.sources}
    return len(wanted & shown) / len(wanted) if wanted else 1.0


@dataclass
class QualityScore:
    """One briefing's figures, with the offending text so a reader can check each count."""

    summary_sentences: int
    cited_per_sentence: float
    named_share: float
    meta: list[str] = field(default_factory=list)
    near_duplicates: list[tuple[str, str]] = field(default_factory=list)
    cut: list[str] = field(default_factory=list)
    boilerplate: list[str] = field(default_factory=list)


def score(view: BriefingView, event_outlets: Sequence[str]) -> QualityScore:
    """Everything but ROUGE for one briefing of an event covered by `event_outlets`."""
    ids = {s.id for s in view.sources}
    statements = [s.text for s in [*view.summary, *view.takeaways]]
    cited = [cited_outlets(s, ids) for s in view.summary]
    return QualityScore(
        summary_sentences=len(view.summary),
        cited_per_sentence=sum(cited) / len(cited) if cited else 0.0,
        named_share=named_share(view, event_outlets),
        meta=[s for s in statements if is_meta(s)],
        near_duplicates=[
            (statements[i], statements[j]) for i, j in near_duplicate_pairs(statements)
        ],
        cut=[s for s in statements if is_cut(s)],
        boilerplate=[f"{o.outlet}: {o.framing}" for o in view.outlets if is_boilerplate(o.framing)],
    )
