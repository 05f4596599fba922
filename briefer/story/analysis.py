"""Analyse each article (the first step, articles in parallel): chunk it, ask for an
ArticleAnalysis per chunk, merge.

A chunk whose reply runs out of output tokens is split in half and retried, so a long article
is never silently cut; chunks of one article are merged in code, with no extra model call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import chain, zip_longest
from typing import TypeVar

from pydantic import BaseModel

from ..errors import OutputTruncatedError
from ..ingest.files import Article
from ..model import prompts
from ..model.llm import LLM
from ..model.modeltable import ModelInfo
from ..model.tokens import TokenCounter
from ..schemas.replies import ArticleAnalysis, Tone
from .chunking import Chunk, chunk_text, input_budget

# A full reply (six facts' words, three phrases with rewordings, each at its schema's bound)
# is about 700 tokens; the facts are pointed to, never written out.
ANALYSE_MAX_TOKENS = 800
T = TypeVar("T")
MAX_SPLITS = 2  # a chunk whose reply is cut is halved, and its halves once more, at most


class Prepared(BaseModel):
    """An article after cleaning, with its citation label and token counts."""

    article: Article
    label: str
    text: str
    tokens_before: int
    tokens_after: int
    removed: list[str]


def analyse_messages(p: Prepared, chunk: Chunk) -> tuple[str, str]:
    part = f"{chunk.index}/{chunk.total}"
    note = "the whole article" if chunk.total == 1 else f"part {part} of a longer article"
    user = prompts.render(
        "analyse.user",
        label=p.label,
        # An attribute value: one line, and no '"' to close it and forge another attribute.
        outlet=prompts.data(p.article.outlet, one_line=True).replace('"', "'"),
        part=part,
        part_note=note,
        text=chunk.text,  # the article keeps its lines; render() defuses delimiter tags
    )
    return prompts.render("analyse.system"), user


def analyse_budget(info: ModelInfo, counter: TokenCounter) -> int:
    """Article tokens one analyse call can carry."""
    empty = Prepared.model_construct(article=Article.model_construct(outlet="outlet"), label="A00")
    system, user = analyse_messages(empty, Chunk(index=1, total=1, text="", tokens=0))
    budget = input_budget(info, counter.count(system) + counter.count(user), ANALYSE_MAX_TOKENS)
    return min(budget, info.max_chunk_tokens) if info.max_chunk_tokens else budget


def analyse_chunks(p: Prepared, counter: TokenCounter, budget: int) -> list[Chunk]:
    """The parts an article is analysed in. They end on paragraph or sentence boundaries, so
    they do not overlap: every source token is read once."""
    return chunk_text(p.text, counter, budget, overlap=0)


def analyse_article(llm: LLM, counter: TokenCounter, p: Prepared, budget: int) -> ArticleAnalysis:
    """One article's analysis, merged over its chunks."""
    parts = [_analyse_chunk(llm, counter, p, c, 0) for c in analyse_chunks(p, counter, budget)]
    return tidy(merge_analyses(list(chain.from_iterable(parts))))


def _unique(items: list[T], key: Callable[[T], object]) -> list[T]:
    seen: set[object] = set()
    out: list[T] = []
    for x in items:
        k = key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


def tidy(a: ArticleAnalysis) -> ArticleAnalysis:
    """Drop the repeats small models pad their lists with (the 0.5B model fills all six facts
    with one sentence)."""

    def norm(text: str) -> str:
        return " ".join(text.casefold().split())

    return a.model_copy(
        update={
            "facts": _unique(a.facts, lambda f: norm(f.quote)),
            "loaded_wording": _unique(a.loaded_wording, lambda w: norm(w.quote)),
        }
    )


def split_for_retry(counter: TokenCounter, chunk: Chunk, depth: int) -> list[Chunk]:
    """The pieces a chunk whose reply was cut is retried as; none when it may not split again
    (the upper bound in `estimate` walks the same splits)."""
    if depth >= MAX_SPLITS or chunk.tokens < 400:
        return []
    halves = chunk_text(chunk.text, counter, max(chunk.tokens // 2 + 1, 200), overlap=0)
    return [
        Chunk(index=chunk.index, total=chunk.total, text=h.text, tokens=h.tokens) for h in halves
    ]


def _analyse_chunk(
    llm: LLM, counter: TokenCounter, p: Prepared, chunk: Chunk, depth: int
) -> list[ArticleAnalysis]:
    system, user = analyse_messages(p, chunk)
    try:
        return [llm.call("analyse", system, user, ArticleAnalysis, ANALYSE_MAX_TOKENS)]
    except OutputTruncatedError:
        pieces = split_for_retry(counter, chunk, depth)
        if not pieces:
            raise
    out: list[ArticleAnalysis] = []
    for sub in pieces:
        out.extend(_analyse_chunk(llm, counter, p, sub, depth + 1))
    return out


def _round_robin(lists: list[list[T]], cap: int) -> list[T]:
    """Merge lists taking the i-th item of each in turn, so every chunk is represented."""
    merged = [x for row in zip_longest(*lists) for x in row if x is not None]
    seen: list[T] = []
    for x in merged:
        if x not in seen:
            seen.append(x)
    return seen[:cap]


def merge_analyses(parts: list[ArticleAnalysis]) -> ArticleAnalysis:
    """Combine chunk analyses of one article deterministically."""
    if len(parts) == 1:
        return parts[0]
    tones = {p.tone for p in parts}
    tone: Tone = parts[0].tone if len(tones) == 1 else "mixed"
    return ArticleAnalysis(
        genre=Counter(p.genre for p in parts).most_common(1)[0][0],
        tone=tone,
        facts=_round_robin([p.facts for p in parts], 6),
        loaded_wording=_round_robin([p.loaded_wording for p in parts], 2),
    )
