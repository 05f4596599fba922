"""briefer.story.chunking: token budgets, paragraph/sentence/token splits, nothing lost."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from briefer.errors import ConfigError
from briefer.model.modeltable import ModelInfo
from briefer.model.tokens import TokenCounter, get_encoding
from briefer.story.chunking import Chunk, chunk_text, input_budget

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))

# A split point after sentence punctuation (optionally closed by a quote or bracket). Finer than
# any sentence splitter could reasonably be, so each piece lies inside one sentence.
_CLOSERS = "\"'\u201d\u2019)]"
_FINE_SPLIT = re.compile(rf"(?<=[.!?…])[{re.escape(_CLOSERS)}]*\s+")


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter(get_encoding("o200k_base"))


def seed_text(name_prefix: str) -> str:
    return next(p for p in SEED_FILES if p.name.startswith(name_prefix)).read_text("utf-8")


def fine_pieces(text: str) -> list[str]:
    return [
        piece.strip()
        for line in text.splitlines()
        for piece in _FINE_SPLIT.split(line.strip())
        if piece.strip()
    ]


def assert_well_formed(chunks: list[Chunk], counter: TokenCounter, budget: int) -> None:
    assert [c.index for c in chunks] == list(range(1, len(chunks) + 1))
    assert {c.total for c in chunks} == {len(chunks)}
    for c in chunks:
        assert c.text.strip()
        assert c.tokens == counter.count(c.text)
        assert c.tokens <= budget, f"chunk {c.index} has {c.tokens} tokens > {budget}"


def assert_in_order(pieces: list[str], chunks: list[Chunk]) -> None:
    """Every piece appears, in input order, in the stream of chunks (overlap may repeat some)."""
    stream = "\n".join(c.text for c in chunks)
    pos = 0
    for piece in pieces:
        found = stream.find(piece, pos)
        assert found >= 0, f"lost or out of order: {piece[:80]!r}"
        pos = found + len(piece)


def test_short_text_is_one_chunk(counter: TokenCounter) -> None:
    text = "\n" + seed_text("004") + "\n\n"
    assert counter.count(text) < 1000
    chunks = chunk_text(text, counter, budget=1000)
    assert len(chunks) == 1
    only = chunks[0]
    assert (only.index, only.total) == (1, 1)
    assert only.text == text.strip()
    assert only.tokens == counter.count(text)


def test_long_multi_paragraph_text_fits_budget_and_loses_nothing(counter: TokenCounter) -> None:
    text = "\n\n".join(p.read_text("utf-8") for p in SEED_FILES * 3)
    budget = 300
    assert counter.count(text) > 20 * budget
    chunks = chunk_text(text, counter, budget)
    assert len(chunks) > counter.count(text) // budget
    assert_well_formed(chunks, counter, budget)
    assert_in_order(fine_pieces(text), chunks)


def test_chunks_overlap_to_carry_context(counter: TokenCounter) -> None:
    text = "\n\n".join(p.read_text("utf-8") for p in SEED_FILES)
    chunks = chunk_text(text, counter, 300, overlap=64)
    shared = [a for a, b in itertools.pairwise(chunks) if b.text.split("\n")[0] in a.text]
    assert shared, "no chunk starts with text carried over from the previous one"
    no_overlap = chunk_text(text, counter, 300, overlap=0)
    assert_well_formed(no_overlap, counter, 300)
    # without overlap nothing repeats: the chunks are the text, cut only at whitespace
    assert " ".join(c.text for c in no_overlap).split() == text.split()


def test_giant_paragraph_splits_at_sentences(counter: TokenCounter) -> None:
    prose = [
        line.strip()
        for line in seed_text("003").splitlines()
        if line.strip().endswith(".") and len(line) > 200
    ]
    paragraph = " ".join(prose * 3)
    assert "\n" not in paragraph
    budget = 300
    assert counter.count(paragraph) > 4 * budget
    chunks = chunk_text(paragraph, counter, budget)
    assert len(chunks) > 1
    assert_well_formed(chunks, counter, budget)
    assert_in_order(fine_pieces(paragraph), chunks)
    for c in chunks:
        for line in c.text.split("\n"):
            # each cut falls between sentences: lines start a sentence and end one
            assert line[0].isupper() or line[0] in '“"', line[:60]
            assert line.endswith((".", ".”", "?", "!")), line[-60:]


def test_giant_sentence_without_punctuation_splits_by_tokens(counter: TokenCounter) -> None:
    words = re.sub(r"[.!?…]", " ", seed_text("000")).split()
    sentence = " ".join(words)
    budget = 300
    assert counter.count(sentence) > 5 * budget
    chunks = chunk_text(sentence, counter, budget)
    assert len(chunks) >= counter.count(sentence) // budget
    assert_well_formed(chunks, counter, budget)
    # no punctuation means no overlap sentence: the chunks decode back to the whole text
    assert "".join(c.text.replace("\n", "") for c in chunks) == sentence


def test_token_split_never_corrupts_multibyte_characters(counter: TokenCounter) -> None:
    """A run-on social-media post quoted in an article: emoji take several tokens each."""
    words = re.findall("[A-Za-z\u2019]+", seed_text("001"))[:600]
    post = " ".join(w + (" 🤝" if i % 7 == 6 else "") for i, w in enumerate(words))
    budget = 300
    assert counter.count(post) > 2 * budget
    chunks = chunk_text(post, counter, budget)
    assert_well_formed(chunks, counter, budget)
    rebuilt = "".join(c.text.replace("\n", "") for c in chunks)
    assert "\ufffd" not in rebuilt, "a token slice cut a character in half"
    assert rebuilt == post


def test_overlap_tail_plus_next_piece_stays_within_budget(counter: TokenCounter) -> None:
    """The carried-over tail and the next piece together must still fit the budget."""
    words = re.findall(r"[A-Za-z]+", seed_text("004"))

    def run_of(n_tokens: int, start: int) -> str:
        out: list[str] = []
        i = start
        while counter.count(" ".join(out)) < n_tokens:
            out.append(words[i % len(words)])
            i += 1
        return " ".join(out)

    budget, overlap = 300, 64
    # A last sentence of exactly `overlap` tokens, then a paragraph of budget - overlap tokens:
    # the largest tail and the largest piece the chunker allows itself.
    tail = next(t for t in (run_of(overlap, s) for s in range(40)) if counter.count(t) == overlap)
    piece = run_of(budget - overlap, 200)
    assert counter.count(piece) == budget - overlap
    text = run_of(100, 400) + ".\n" + tail + "\n" + piece
    chunks = chunk_text(text, counter, budget, overlap=overlap)
    assert len(chunks) == 2
    assert_well_formed(chunks, counter, budget)


def test_input_budget_reserves_prompt_and_reply() -> None:
    info = ModelInfo("some-local-model", 32_768, "o200k_base", None, None, False)
    assert (
        input_budget(info, prompt_tokens=1_500, output_reserve=4_000)
        == int(32_768 * 0.9) - 1_500 - 4_000
    )
    assert input_budget(info, 1_500, 4_000) - input_budget(info, 1_600, 4_000) == 100


def test_input_budget_boundary_and_tiny_window() -> None:
    info = ModelInfo("tiny-model", 4_096, "o200k_base", None, None, False)
    usable = int(4_096 * 0.9)
    assert input_budget(info, prompt_tokens=usable - 256 - 1_000, output_reserve=1_000) == 256
    with pytest.raises(ConfigError, match="tiny-model") as info_exc:
        input_budget(info, prompt_tokens=usable - 255 - 1_000, output_reserve=1_000)
    assert "--context-window" in str(info_exc.value)
    small = ModelInfo("small-window", 1_024, "o200k_base", None, None, False)
    with pytest.raises(ConfigError, match="1024"):
        input_budget(small, prompt_tokens=400, output_reserve=400)
