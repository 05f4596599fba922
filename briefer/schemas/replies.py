"""The model's reply schemas: what the model must return (strict structured output).

Model-facing models have every field required, no open dicts and bounded lists, so they work
with OpenAI strict json_schema and with llama.cpp's grammar. Field descriptions are instructions.
Sources are cited by short labels ("A1", "A2") that small models copy reliably; code maps them
back to article ids.

Strings carry a `maxLength` in the schema only (no validation): grammar-constrained servers
(llama.cpp) then cannot loop inside one string until the output limit, the failure small models
show most. It is stripped for OpenAI, whose strict mode does not take it (see model/llm.py).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

ClaimKind = Literal["reported_fact", "attributed_statement", "opinion"]
Tone = Literal["neutral", "positive", "negative", "mixed"]
Genre = Literal["news_report", "analysis", "opinion", "aggregator"]


def text(description: str, max_chars: int) -> Any:
    """A required string field whose schema bounds its length (see the module docstring)."""
    return Field(description=description, json_schema_extra={"maxLength": max_chars})


SENTENCE_CHARS = 320  # a summary sentence or takeaway

# --- Analyse step: one article -----------------------------------------------------------


class Fact(BaseModel):
    """One main claim, given by its words: code finds the sentence that holds them, so the
    model never writes the sentence out (that was most of its output)."""

    # Words enough to find the sentence by: a longer copy only costs output tokens.
    quote: str = text(
        "The first 5 to 8 words of the sentence that states the claim, copied exactly.", 60
    )
    kind: ClaimKind = Field(
        description="reported_fact: the outlet reports it; attributed_statement: someone is "
        "quoted or cited saying it; opinion: the outlet's own view, speculation or prediction."
    )


class LoadedPhrase(BaseModel):
    quote: str = text("A loaded, emotive or slanted phrase (2 to 8 words), copied exactly.", 60)
    neutral: str = text("A neutral rewording of the same phrase.", 60)


class ArticleAnalysis(BaseModel):
    """The checkable digest of one article: its kind, tone, the words of its main facts and
    its slanted wording. Facts are located in the article and aligned across outlets in code."""

    genre: Genre = Field(description="What kind of piece this is.")
    tone: Tone = Field(description="The article's overall tone toward its subject.")
    facts: list[Fact] = Field(max_length=6, description="The main claims, most important first.")
    loaded_wording: list[LoadedPhrase] = Field(max_length=2, description="Slanted wording.")


# --- Write step: the story's sentences, one per chosen slot ----------------------------------


class GroupSentence(BaseModel):
    group: str = text("The fact group's id, e.g. 'G1'.", 8)
    text: str = text(
        "One neutral sentence that states the group's fact: who did what, when, any figure.",
        SENTENCE_CHARS,
    )


class TakeawayDraft(BaseModel):
    groups: list[str] = Field(
        min_length=1, max_length=3, description="Ids of the fact groups it rests on, e.g. 'G2'."
    )
    text: str = text("One short point a reader should remember; not a summary sentence.", 240)


class Synthesis(BaseModel):
    """The model's writing for the story: a headline, one sentence per fact group, takeaways.

    Which facts lead, which outlets each sentence cites and what each outlet leaves out are
    decided in code (briefer/briefing/align.py), never here."""

    # The docstring above is the schema's description, sent to the model and part of every
    # recorded request: keep it byte for byte, path included, even when align.py moves.

    headline: str = text("A short neutral headline for the story.", 120)
    sentences: list[GroupSentence] = Field(max_length=8, description="One per fact group.")
    takeaways: list[TakeawayDraft] = Field(max_length=4, description="Most important first.")


class FramingLine(BaseModel):
    source: str = text("The article's label, e.g. 'A1'.", 8)
    text: str = text(
        "One sentence on how this outlet told the story: what it leads with and stresses.", 240
    )


class Framings(BaseModel):
    """How each outlet told the story, written from facts code computed about it."""

    framings: list[FramingLine] = Field(max_length=12)


# --- Contrast step: do two outlets' figures disagree? -----------------------------------

Verdict = Literal["conflict", "consistent", "different_things"]


class ContrastPoint(BaseModel):
    candidate: str = text("The candidate's id, e.g. 'C1'.", 8)
    verdict: Verdict = Field(
        description="conflict: the two give different figures, periods or facts for the same "
        "thing; consistent: they agree; different_things: they measure different things."
    )
    topic: str = text("What is measured, e.g. 'China-Russia trade volume'.", 100)
    context: str = text(
        "'' or one short neutral sentence the stated figures leave out (e.g. that one figure is "
        "a projection); no figure or period that the two statements do not give; never pick a "
        "side.",
        200,
    )


class ContrastReport(BaseModel):
    """The model's judgement of each candidate pair of outlet statements."""

    points: list[ContrastPoint] = Field(max_length=6)
