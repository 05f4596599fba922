"""The output document: the briefing the reader gets, with its sources, checks and run record.

Built in code from the model's replies (briefer.schemas.replies) and what code computed; never
sent to the model as a schema.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from .replies import Genre, LoadedPhrase


class QuotedSource(BaseModel):
    """Words an article puts in quotation marks, and who said them (found in code)."""

    who: str
    quote: str


class Skipped(BaseModel):
    """A file that was not used, and why (shown to the user as a one-line warning)."""

    path: str
    reason: str


class SourceRef(BaseModel):
    id: str
    label: str
    outlet: str
    title: str
    path: str
    url: str | None = None
    # The cleaned text the briefing was made from: what its evidence and quotes point into
    # (the HTML report embeds it and highlights them in place).
    text: str = ""


class Cited(BaseModel):
    text: str
    citations: list[str]  # article ids
    flags: list[str] = Field(default_factory=list)  # unverified numbers, unsupported citations
    # Article id -> the sentence of that article it rests on, verbatim (what a citation opens).
    evidence: dict[str, str] = Field(default_factory=dict)


class Takeaway(Cited):
    rank: int


class Side(BaseModel):
    article_id: str
    outlet: str
    quote: str


class BriefContradiction(BaseModel):
    topic: str
    sides: list[Side]
    note: str


class CoverageRow(BaseModel):
    """One fact of the story and who reports it, from the aligned fact groups (computed)."""

    fact: str  # its summary sentence, else its best outlet sentence
    reported: dict[str, str]  # article id -> that outlet's sentence of it, verbatim
    # Article ids with a sentence close to it that was grouped under another fact.
    echoed: list[str] = Field(default_factory=list)


class OutletComparison(BaseModel):
    article_id: str
    label: str
    outlet: str
    title: str
    genre: Genre
    tone: str  # the model's Tone, or "opinionated" for an opinion piece it called neutral
    framing: str
    framing_by_model: bool = True  # False: composed in code from the lead and what only it reports
    lead: str = ""  # the article's first sentence of reporting, verbatim
    only_here: list[str] = Field(default_factory=list)  # what only this outlet reports
    omissions: list[str]  # computed: facts most other outlets report and this one lacks
    quoted_sources: list[QuotedSource]
    loaded_wording: list[LoadedPhrase]
    claims: dict[str, int]  # claim kind -> count
    opinion_share: float
    # The writer's own voice (briefer.text.voice): checkable evidence for "opinion piece".
    first_person_markers: int = 0
    voice_examples: list[str] = Field(default_factory=list)
    opinion_piece: bool = False


class Verification(BaseModel):
    quotes_total: int = 0
    quotes_verified: int = 0
    citations_total: int = 0
    citations_valid: int = 0
    citations_supported: int = 0
    numbers_total: int = 0
    numbers_verified: int = 0
    sentence_reasks: int = 0  # summary sentences code rejected and sent back to the model once
    contradiction_candidates: int = 0  # cross-outlet figure pairs the contrast step judged
    items_dropped: int = 0
    flagged: list[str] = Field(default_factory=list)


class StepUsage(BaseModel):
    step: str
    calls: int = 0
    cached_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


class RunMeta(BaseModel):
    model: str
    endpoint: str
    structured_output: str
    prompt_version: str
    started_at: str
    wall_seconds: float
    tokens_before_clean: int
    tokens_after_clean: int
    model_calls: int
    cached_calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    steps: list[StepUsage]
    skipped: list[Skipped]
    warnings: list[str] = Field(default_factory=list)


class Briefing(BaseModel):
    title: str
    summary: list[Cited]
    outlets: list[OutletComparison]
    contradictions: list[BriefContradiction]
    takeaways: list[Takeaway]
    sources: list[SourceRef]
    verification: Verification
    run: RunMeta
    # The story's widely reported facts by outlet, most widely reported first.
    coverage: list[CoverageRow] = Field(default_factory=list)

    def unverified(self) -> list[str]:
        """Statements shown with a flag (a number or citation that did not check out)."""
        return [
            f"{item.text[:80]}: {'; '.join(item.flags)}"
            for item in [*self.summary, *self.takeaways]
            if item.flags
        ]
