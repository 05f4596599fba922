"""Chunk: split an article to a token budget on paragraph, then sentence boundaries.

Nothing is ever silently truncated: an over-long sentence is split by tokens as a last resort,
and every chunk knows its place (i of n) so the model is told it sees part of an article.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from ..errors import ConfigError
from ..model.modeltable import ModelInfo
from ..model.tokens import TokenCounter

_SENTENCE = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+(?=[A-Z0-9\"“‘(\[])")


class Chunk(BaseModel):
    index: int  # 1-based
    total: int
    text: str
    tokens: int


def input_budget(info: ModelInfo, prompt_tokens: int, output_reserve: int) -> int:
    """Tokens left for article text once the prompt and the reply are reserved.

    A 10% margin covers tokenizer mismatch on local models (tiktoken only approximates them).
    """
    budget = int(info.context_window * 0.9) - prompt_tokens - output_reserve
    if budget < 256:
        raise ConfigError(
            f"Context window {info.context_window} of {info.name} leaves no room for article "
            "text: pass a larger --context-window or use a model with a bigger window."
        )
    return budget


def _pieces(text: str, counter: TokenCounter, budget: int) -> list[str]:
    """Units no larger than `budget`: paragraphs, else their sentences, else token slices."""
    out: list[str] = []
    for para in (p.strip() for p in text.split("\n")):
        if not para:
            continue
        if counter.count(para) <= budget:
            out.append(para)
            continue
        for sent in _SENTENCE.split(para):
            if counter.count(sent) <= budget:
                out.append(sent)
                continue
            out.extend(_split_by_tokens(sent, counter, budget))
    return out


def _split_by_tokens(text: str, counter: TokenCounter, budget: int) -> list[str]:
    """Cut text with no sentence breaks into character windows of at most `budget` tokens.

    Windows are cut on characters (never mid-character, as decoding token slices would), at
    the last space when there is one, and shrunk until they fit.
    """
    out: list[str] = []
    rest = text
    while rest:
        if counter.count(rest) <= budget:
            out.append(rest)
            break
        size = max(1, int(len(rest) * budget / counter.count(rest)))
        while size > 1 and counter.count(rest[:size]) > budget:
            size = int(size * 0.9)
        cut = rest.rfind(" ", size // 2, size)
        cut = cut if cut > 0 else size
        out.append(rest[:cut])
        rest = rest[cut:]
    return out


def chunk_text(text: str, counter: TokenCounter, budget: int, overlap: int = 64) -> list[Chunk]:
    """Pack paragraphs into chunks of at most `budget` tokens, overlapping by ~`overlap`."""
    total_tokens = counter.count(text)
    if total_tokens <= budget:
        return [Chunk(index=1, total=1, text=text.strip(), tokens=total_tokens)]
    pieces = _pieces(text, counter, max(budget - overlap, budget // 2))
    groups: list[list[str]] = []
    current: list[str] = []
    used = 0
    for piece in pieces:
        n = counter.count(piece) + 1
        if current and used + n > budget:
            groups.append(current)
            tail = _overlap_tail(current, counter, overlap)
            current, used = list(tail), sum(counter.count(t) + 1 for t in tail)
            if used + n > budget:  # the carried context must never push a chunk over budget
                current, used = [], 0
        current.append(piece)
        used += n
    if current:
        groups.append(current)
    texts = ["\n".join(g) for g in groups]
    return [
        Chunk(index=i + 1, total=len(texts), text=t, tokens=counter.count(t))
        for i, t in enumerate(texts)
    ]


def _overlap_tail(group: list[str], counter: TokenCounter, overlap: int) -> list[str]:
    """The last sentence(s) of the previous chunk, to carry context across the cut."""
    if overlap <= 0:
        return []
    sentences = _SENTENCE.split(group[-1])
    tail: list[str] = []
    used = 0
    for sent in reversed(sentences):
        n = counter.count(sent)
        if used + n > overlap:
            break
        tail.insert(0, sent)
        used += n
    return [" ".join(tail)] if tail else []
