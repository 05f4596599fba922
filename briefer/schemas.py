"""Schemas: what the model must return (strict structured output) and the final briefing.

Model-facing models have every field required, no open dicts and bounded lists, so they work
with OpenAI strict json_schema and with llama.cpp's grammar. Field descriptions are instructions.
Sources are cited by short labels ("A1", "A2") that small models copy reliably; code maps them
back to article ids.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .ingest import Skipped

ClaimKind = Literal["reported_fact", "attributed_statement", "opinion"]
Tone = Literal["neutral", "positive", "negative", "mixed"]
Genre = Literal["news_report", "analysis", "opinion", "aggregator"]

_VERBATIM = (
    "a short phrase (3 to 20 words) copied word for word from the article; never a whole "
    "paragraph, never paraphrased or invented"
)


# --- Map step: one article ---------------------------------------------------------------


class Fact(BaseModel):
    statement: str = Field(description="One fact or claim from the article, in plain words.")
    kind: ClaimKind = Field(
        description="reported_fact: the outlet reports it; attributed_statement: someone is "
        "quoted or cited saying it; opinion: the outlet's own view, speculation or prediction."
    )
    speaker: str = Field(description="Who said it, for attributed_statement; otherwise ''.")
    quote: str = Field(description=f"Short supporting text {_VERBATIM}; '' if none.")


class Figure(BaseModel):
    what: str = Field(description="What the number measures, e.g. 'bilateral trade in 2024'.")
    value: str = Field(description="Only the number exactly as written, e.g. '$240 billion'.")
    quote: str = Field(description=f"The words around the number, {_VERBATIM}.")


class QuotedSource(BaseModel):
    who: str = Field(description="The person or body the article quotes.")
    quote: str = Field(description=f"Their own words (inside quotation marks), {_VERBATIM}.")


class LoadedPhrase(BaseModel):
    quote: str = Field(description=f"A loaded, emotive or slanted phrase, {_VERBATIM}.")
    neutral: str = Field(description="A neutral rewording of the same phrase.")


class ArticleAnalysis(BaseModel):
    """Compact, quotable digest of one article: the reduce step works from these, not raw text."""

    summary: str = Field(description="Two or three neutral sentences: what the article reports.")
    genre: Genre = Field(description="What kind of piece this is.")
    tone: Tone = Field(description="The article's overall tone toward its subject.")
    framing: str = Field(description="One sentence: the angle or story the outlet tells.")
    emphasis: list[str] = Field(max_length=3, description="Topics the article stresses most.")
    facts: list[Fact] = Field(max_length=6, description="The main claims, most important first.")
    figures: list[Figure] = Field(max_length=5, description="Numbers the article states.")
    quoted_sources: list[QuotedSource] = Field(max_length=4, description="Who it quotes.")
    loaded_wording: list[LoadedPhrase] = Field(max_length=3, description="Slanted wording.")


# --- Reduce step: the whole story --------------------------------------------------------


class CitedSentence(BaseModel):
    text: str = Field(description="One neutral sentence; attribute statements to who made them.")
    sources: list[str] = Field(
        min_length=1, max_length=5, description="Labels of the articles it rests on, e.g. 'A1'."
    )


class ContradictionSide(BaseModel):
    source: str = Field(description="Label of the article, e.g. 'A2'.")
    quote: str = Field(description=f"That article's version, {_VERBATIM}.")


class Contradiction(BaseModel):
    topic: str = Field(description="The fact or figure the articles disagree on.")
    sides: list[ContradictionSide] = Field(min_length=2, max_length=4)
    note: str = Field(description="Neutral note on what is known; do not pick a side.")


class OutletOmission(BaseModel):
    source: str = Field(description="Label of the article.")
    omits: str = Field(description="What this article leaves out that others report.")


class Synthesis(BaseModel):
    """The cross-outlet part of a briefing: summary, takeaways, disagreements, omissions."""

    headline: str = Field(description="A short neutral headline for the story.")
    summary: list[CitedSentence] = Field(
        min_length=1, max_length=8, description="Neutral summary of what happened."
    )
    takeaways: list[CitedSentence] = Field(
        min_length=3, max_length=7, description="Key takeaways, most important first."
    )
    contradictions: list[Contradiction] = Field(
        max_length=4, description="Facts or figures the articles state differently."
    )
    omissions: list[OutletOmission] = Field(max_length=6)


# --- The briefing the reader gets --------------------------------------------------------


class SourceRef(BaseModel):
    id: str
    label: str
    outlet: str
    title: str
    path: str
    url: str | None = None


class Cited(BaseModel):
    text: str
    citations: list[str]  # article ids
    flags: list[str] = Field(default_factory=list)  # unverified numbers, unsupported citations


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


class OutletComparison(BaseModel):
    article_id: str
    label: str
    outlet: str
    title: str
    genre: Genre
    tone: Tone
    framing: str
    emphasis: list[str]
    omissions: list[str]
    quoted_sources: list[QuotedSource]
    loaded_wording: list[LoadedPhrase]
    claims: dict[str, int]  # claim kind -> count
    opinion_share: float


class Verification(BaseModel):
    quotes_total: int = 0
    quotes_verified: int = 0
    citations_total: int = 0
    citations_valid: int = 0
    citations_supported: int = 0
    numbers_total: int = 0
    numbers_verified: int = 0
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

    def unverified(self) -> list[str]:
        """Statements shown with a flag (a number or citation that did not check out)."""
        return [
            f"{item.text[:80]}: {'; '.join(item.flags)}"
            for item in [*self.summary, *self.takeaways]
            if item.flags
        ]
