"""Align facts across outlets, in code: which outlets report the same thing.

Each fact the analyse step picked is located in its article: the sentence its words come from, or
failing that (a small model's words are not always exact) the sentence they match best. Each
article's lead and the two statements after it are facts too (what the outlet puts first). A
fact's sentence is then compared with every sentence of every other article (TF-IDF cosine
over stemmed content words, the document frequencies taken over all the story's sentences, so
the names every sentence carries weigh little); the best match in each other article, when
close enough, joins the fact's group. Groups that share a sentence are one group. No model is
asked to find candidates.

A group's outlets are the coverage of that fact: the summary leads with what most outlets
report and cites every one of them; what most others report and one outlet lacks is that
outlet's omission.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from ..schemas.replies import ClaimKind, Fact
from ..text.sentences import Sentence, content_words, split_sentences
from ..text.voice import attributes

SAME_FACT = 0.16  # cosine at or above which two outlets' sentences report the same thing
SEED_BONUS = 0.1  # ordering preference for joining two located facts
# The leads of articles about one story report its main event in their own words, so two leads
# join at a lower cosine than two sentences from further down.
LEAD_SAME = 0.08
TOP_SEEDS = 3  # an article's lead and the statements after it are facts, picked or not
LOCATE_QUOTE = 0.6  # share of a quote's content words a sentence must hold to be its source
LOCATE_LOOSE = 0.3  # cosine words not copied exactly need with their sentence


class Source(BaseModel):
    """One article as the aligner sees it."""

    label: str
    text: str
    facts: list[Fact]
    lead: str  # the article's first sentence of reporting ('' when none)
    opinion_piece: bool


class Member(BaseModel):
    """One outlet's sentence in a group."""

    label: str
    sentence: str
    position: int  # sentence index in the article
    relative: float  # position / number of sentences: 0.0 is the top
    kind: ClaimKind = "reported_fact"
    seeded: bool = False  # located from a fact or the lead, not only matched
    lead: bool = False
    # How closely the other outlets report it: the mean over them of the cosine of their
    # closest sentence (the score of the consensus extractive baseline, bench/baselines.py).
    agreement: float = 0.0
    # Its TF-IDF vector over the story's sentences (unit length): what it says that others do
    # not, with the names every sentence carries weighing little.
    terms: dict[str, float] = Field(default_factory=dict, repr=False)


class FactGroup(BaseModel):
    """One thing the story reports, and every outlet that reports it."""

    id: str
    members: list[Member]
    # Outlets not in the group with a sentence close to one of its members all the same (taken
    # by another group): they do report it, so it is not their omission.
    echoes: list[str] = []

    @property
    def labels(self) -> list[str]:
        return sorted({m.label for m in self.members}, key=_label_key)

    @property
    def reportable(self) -> bool:
        """Someone reports it as fact or attributes it; not only a writer's opinion."""
        return any(m.kind != "opinion" for m in self.members)

    @property
    def top(self) -> float:
        return min(m.relative for m in self.members)


def _label_key(label: str) -> tuple[int, str]:
    digits = "".join(ch for ch in label if ch.isdigit())
    return (int(digits) if digits else 0, label)


@dataclass
class _Index:
    """Content words and TF-IDF vectors of every sentence of the story, per article: computed
    once, used to locate facts, find leads and match outlets."""

    sentences: dict[str, list[Sentence]]
    vectors: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    words: dict[str, list[set[str]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    # Per article, each term's (sentence index, weight): a vector's cosine with every sentence
    # of an article in one pass over its own terms.
    postings: dict[str, dict[str, list[tuple[int, float]]]] = field(default_factory=dict)

    def build(self) -> _Index:
        words = {k: [content_words(s.text) for s in v] for k, v in self.sentences.items()}
        self.words = {k: [set(w) for w in ws] for k, ws in words.items()}
        docs = [d for ds in self.words.values() for d in ds]
        df = Counter(t for d in docs for t in d)
        n = len(docs)
        self.idf = {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
        self.vectors = {k: [self.vector(w) for w in ws] for k, ws in words.items()}
        for label, vectors in self.vectors.items():
            posting: dict[str, list[tuple[int, float]]] = {}
            for i, vec in enumerate(vectors):
                for term, weight in vec.items():
                    posting.setdefault(term, []).append((i, weight))
            self.postings[label] = posting
        return self

    def scores(self, vec: dict[str, float], label: str) -> list[float]:
        """The cosine of `vec` with each sentence of article `label`, in order."""
        out = [0.0] * len(self.vectors[label])
        posting = self.postings[label]
        for term, v in vec.items():
            for i, w in posting.get(term, ()):
                out[i] += v * w
        return out

    def vector(self, words: list[str]) -> dict[str, float]:
        tf = Counter(words)
        vec = {t: c * self.idf.get(t, 1.0) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def _locate(fact: Fact, index: _Index, label: str) -> int | None:
    """The sentence a fact's words come from, else the one they match best."""
    words = content_words(fact.quote)
    if not words:
        return None
    held_by = [len(set(words) & have) for have in index.words[label]]
    if held_by and max(held_by) >= LOCATE_QUOTE * len(set(words)):
        return held_by.index(max(held_by))
    scores = index.scores(index.vector(words), label)
    if scores and max(scores) >= LOCATE_LOOSE:
        return scores.index(max(scores))
    return None


def fact_sentences(facts: Sequence[Fact], text: str) -> list[str]:
    """The sentence of `text` each fact's words come from ('' when none holds them)."""
    index = _Index({"": split_sentences(text)}).build()
    found = [_locate(fact, index, "") for fact in facts]
    return [index.sentences[""][at].text if at is not None else "" for at in found]


def _seeds(src: Source, index: _Index) -> list[Member]:
    """The article's located facts and its lead, one member per sentence (first fact wins)."""
    sentences = index.sentences[src.label]
    total = max(1, len(sentences))
    found: dict[int, Member] = {}
    for fact in src.facts:
        at = _locate(fact, index, src.label)
        if at is None or at in found or not is_statement(sentences[at].text):
            continue
        kind = claim_kind(fact.kind, sentences[at].text, src.opinion_piece)
        found[at] = Member(
            label=src.label,
            sentence=sentences[at].text,
            position=at,
            relative=at / total,
            kind=kind,
            seeded=True,
        )
    lead = _lead_index(src, index)
    if lead is not None and is_statement(sentences[lead].text):
        for at in _top(sentences, lead):
            if at not in found:
                found[at] = _matched(src, sentences, at, total).model_copy(update={"seeded": True})
        found[lead] = found[lead].model_copy(update={"lead": True})
    return [found[i] for i in sorted(found)]


def _top(sentences: list[Sentence], lead: int) -> list[int]:
    """The lead and the statements right after it: a news story tells its main facts first,
    whichever of them a small model happens to pick."""
    after = [i for i in range(lead + 1, len(sentences)) if is_statement(sentences[i].text)]
    return [lead, *after[: TOP_SEEDS - 1]]


def claim_kind(kind: ClaimKind, sentence: str, opinion_piece: bool) -> ClaimKind:
    """A claim's kind as counted: a piece of opinion speaks in the writer's voice unless the
    sentence puts the words in someone's mouth (a quotation mark or a speech verb)."""
    if opinion_piece and not (kind == "attributed_statement" and attributes(sentence)):
        return "opinion"
    return kind


def _lead_index(src: Source, index: _Index) -> int | None:
    if not src.lead.strip():
        return None
    want = set(content_words(src.lead))
    for i, have in enumerate(index.words[src.label]):
        if want and len(want & have) >= 0.8 * len(want):
            return i
    return None


def _matched(src: Source, sentences: list[Sentence], at: int, total: int) -> Member:
    """A sentence that reports a group's fact without the analyse step having picked it."""
    return Member(
        label=src.label,
        sentence=sentences[at].text,
        position=at,
        relative=at / total,
        kind="opinion" if src.opinion_piece else "reported_fact",
    )


def is_statement(text: str) -> bool:
    """A sentence that can state a fact: not a heading, label, table row, dateline or question."""
    words = text.split()
    if "|" in text or text.rstrip().endswith("?") or len(words) < 6:
        return False
    return len(words) >= 15 or text.rstrip().endswith(_CLOSERS)


_CLOSERS = (".", "!", '"', "”", "’", "'", ")")
Node = tuple[str, int]  # (article label, sentence index)


@dataclass
class _Clusters:
    """Sentences joined into groups, at most one per outlet, each joining only a group it is
    close to on average (so a chain of near matches cannot sweep a whole story together)."""

    index: _Index
    leads: set[Node] = field(default_factory=set)
    of: dict[Node, int] = field(default_factory=dict)
    members: dict[int, list[Node]] = field(default_factory=dict)

    def sim(self, a: Node, b: Node) -> float:
        return cosine(self.index.vectors[a[0]][a[1]], self.index.vectors[b[0]][b[1]])

    def _fits(self, nodes: list[Node], others: list[Node]) -> bool:
        if {n[0] for n in nodes} & {n[0] for n in others}:
            return False
        pairs = [self.sim(a, b) for a in nodes for b in others]
        leads_only = all(n in self.leads for n in (*nodes, *others))
        return sum(pairs) / len(pairs) >= (LEAD_SAME if leads_only else SAME_FACT)

    def join(self, a: Node, b: Node) -> None:
        ca, cb = self.of.get(a), self.of.get(b)
        if ca is not None and ca == cb:
            return
        na = self.members[ca] if ca is not None else [a]
        nb = self.members[cb] if cb is not None else [b]
        if not self._fits(na, nb):
            return
        key = ca if ca is not None else (cb if cb is not None else len(self.members))
        for gone in {ca, cb} - {key, None}:
            del self.members[gone]  # type: ignore[arg-type]
        self.members[key] = [*na, *nb]
        for n in self.members[key]:
            self.of[n] = key


def _edges(seeds: list[Member], index: _Index) -> list[tuple[float, Node, Node]]:
    """Each seed's best statement sentence in every other article, if close enough."""
    out = []
    for seed in seeds:
        vec = index.vectors[seed.label][seed.position]
        for label in index.vectors:
            if label == seed.label:
                continue
            scored = [
                (score, i)
                for i, score in enumerate(index.scores(vec, label))
                if is_statement(index.sentences[label][i].text)
            ]
            best = max(scored, default=(0.0, -1))
            if best[0] >= SAME_FACT:
                out.append((best[0], (seed.label, seed.position), (label, best[1])))
    # Two located facts that match are joined before a fact and a sentence it merely matches.
    seeded = {(m.label, m.position) for m in seeds}
    out.sort(key=lambda e: (-(e[0] + SEED_BONUS * (e[2] in seeded)), e[1], e[2]))
    return out


def _lead_edges(seeds: list[Member], index: _Index) -> list[tuple[float, Node, Node]]:
    """Pairs of leads at LEAD_SAME or closer, closest first."""
    leads = [(m.label, m.position) for m in seeds if m.lead]
    out = []
    for i, a in enumerate(leads):
        for b in leads[i + 1 :]:
            similar = cosine(index.vectors[a[0]][a[1]], index.vectors[b[0]][b[1]])
            if similar >= LEAD_SAME:
                out.append((similar, a, b))
    return sorted(out, key=lambda e: (-e[0], e[1], e[2]))


def _groups(seeds: list[Member], sources: Sequence[Source], index: _Index) -> list[list[Member]]:
    clusters = _Clusters(index, leads={(m.label, m.position) for m in seeds if m.lead})
    # The leads meet first: what the story's articles open with is its main event.
    for _, a, b in [*_lead_edges(seeds, index), *_edges(seeds, index)]:
        clusters.join(a, b)
    by_node = {(m.label, m.position): m for m in seeds}
    opinion = {s.label: s.opinion_piece for s in sources}
    groups = []
    for nodes in clusters.members.values():
        groups.append([by_node.get(n) or _matched_node(n, index, opinion) for n in nodes])
    grouped = set(clusters.of)
    groups += [[m] for m in seeds if (m.label, m.position) not in grouped]
    return [sorted(g, key=lambda m: (_label_key(m.label), m.position)) for g in groups]


def _matched_node(node: Node, index: _Index, opinion: dict[str, bool]) -> Member:
    label, at = node
    sentences = index.sentences[label]
    return Member(
        label=label,
        sentence=sentences[at].text,
        position=at,
        relative=at / max(1, len(sentences)),
        kind="opinion" if opinion[label] else "reported_fact",
    )


def coverage_rank(g: FactGroup) -> tuple[int, int, float]:
    """More outlets first, then facts the analyse step picked, then what outlets put higher."""
    return (-len(g.labels), -sum(m.seeded for m in g.members), g.top)


def align(sources: Sequence[Source]) -> list[FactGroup]:
    """The story's fact groups, most widely reported first (ids G1, G2, ... in that order)."""
    index = _Index({s.label: split_sentences(s.text) for s in sources}).build()
    seeds = [seed for src in sources for seed in _seeds(src, index)]
    groups = [
        FactGroup(id="", members=[_agreed(m, index) for m in members])
        for members in _groups(seeds, sources, index)
    ]
    groups.sort(key=coverage_rank)
    return [
        g.model_copy(update={"id": f"G{i}", "echoes": _echoes(g, index)})
        for i, g in enumerate(groups, start=1)
    ]


def _agreed(m: Member, index: _Index) -> Member:
    """`m` with its agreement: how closely each other outlet's closest sentence matches it."""
    mine = index.vectors[m.label][m.position]
    best = [
        max(index.scores(mine, label), default=0.0) for label in index.vectors if label != m.label
    ]
    agreement = sum(best) / len(best) if best else 0.0
    return m.model_copy(update={"agreement": agreement, "terms": mine})


def _echoes(g: FactGroup, index: _Index) -> list[str]:
    """Labels outside `g` with some sentence at SAME_FACT or closer to one of its members."""
    out = []
    members = [index.vectors[m.label][m.position] for m in g.members]
    for label in index.vectors:
        if label in g.labels:
            continue
        if any(max(index.scores(m, label), default=0.0) >= SAME_FACT for m in members):
            out.append(label)
    return out
