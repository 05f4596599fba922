"""What a daily run did: each story's outcome and the day's result (the index renders it)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ..schemas.briefing import Skipped
from .state import StoryState

Status = Literal["done", "nothing_new", "failed", "locked"]


class StoryOutcome(BaseModel):
    slug: str
    title: str
    articles: list[str]
    outlets: list[str]
    status: Literal["written", "unchanged", "failed", "not_attempted"]
    files: list[str] = Field(default_factory=list)  # relative to the day's folder
    error: str | None = None
    model_calls: int = 0
    cached_calls: int = 0


class ArticleRef(BaseModel):
    title: str
    outlet: str
    path: str


class DailyResult(BaseModel):
    """What one run did; `status` maps to the exit code and `message` to the one-line report."""

    status: Status
    day: str
    folder: str
    message: str = ""
    stories: list[StoryOutcome] = Field(default_factory=list)
    earlier: dict[str, StoryState] = Field(default_factory=dict)
    singles: list[ArticleRef] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    duplicates: list[Skipped] = Field(default_factory=list)
    seen_before: int = 0
    too_old: int = 0
    pruned: list[str] = Field(default_factory=list)
    # Index files briefer did not overwrite, as they are not its own: path -> why (a story
    # whose file is in the way fails, and its error says so).
    left_alone: dict[str, str] = Field(default_factory=dict)
    lock_holder: int | None = None

    def written(self) -> list[StoryOutcome]:
        return [s for s in self.stories if s.status == "written"]
