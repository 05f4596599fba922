"""End to end over all of seeds/, replayed from a cassette recorded from the real local server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from vcr.cassette import Cassette

from briefer.pipeline.run import brief
from briefer.render.render import to_json, to_markdown
from briefer.schemas.briefing import Briefing

from .conftest import FAST_MODEL, SEEDS, model_settings
from .reader import complaints
from .verbatim import shown_quotes, verbatim_in


def check_briefing(b: Briefing, cassette: Cassette, *, tags_claims: bool = True) -> None:
    """What every briefing of the seeds must satisfy, whatever model wrote it."""
    seeds = sorted(SEEDS.glob("*.txt"))
    ids = {s.id for s in b.sources}

    # Every outlet present, each exactly once, in input order, unless its analysis failed,
    # and then it is reported with the reason instead of silently missing.
    failed = {s.path: s.reason for s in b.run.skipped}
    assert all(reason.startswith("analysis failed") for reason in failed.values())
    assert [s.path for s in b.sources] == [str(p) for p in seeds if str(p) not in failed]
    assert [o.article_id for o in b.outlets] == [s.id for s in b.sources]
    assert all(o.framing.strip() for o in b.outlets)

    # Every summary sentence and takeaway carries valid citations.
    assert b.summary and all(s.citations and set(s.citations) <= ids for s in b.summary)
    assert 1 <= len(b.takeaways) <= 5
    assert [t.rank for t in b.takeaways] == list(range(1, len(b.takeaways) + 1))
    assert all(t.citations and set(t.citations) <= ids for t in b.takeaways)

    # Every citation opens (in the HTML report) a sentence of the cited article's own text.
    cleaned = {s.id: s.text for s in b.sources}
    for item in [*b.summary, *b.takeaways]:
        assert set(item.evidence) == set(item.citations), item.text
        assert all(item.evidence[a] in cleaned[a] for a in item.citations), item.text
    for row in b.coverage:
        assert row.reported and all(row.reported[a] in cleaned[a] for a in row.reported)

    # Every quote shown is verbatim in the article file it is attributed to.
    texts = {s.id: Path(s.path).read_text(encoding="utf-8") for s in b.sources}
    shown = shown_quotes(b)
    assert shown, "the briefing shows no quotes at all"
    for article_id, quote in shown:
        assert verbatim_in(quote, texts[article_id]), (article_id, quote)
    for c in b.contradictions:
        assert len({s.article_id for s in c.sides}) >= 2

    v = b.verification
    assert 0 < v.quotes_verified <= v.quotes_total
    # Numbers: every number the reader sees in the summary and takeaways was checked, and any
    # that failed is flagged on its sentence (what --strict refuses to publish).
    flagged_numbers = sum(
        1 for item in [*b.summary, *b.takeaways] for f in item.flags if f.startswith("number")
    )
    assert v.numbers_verified + flagged_numbers == v.numbers_total
    # The contrast step judged the seeds' one cross-outlet figure pair (trade: a quarter's
    # $250 billion vs $240 billion for 2024) whatever the model's verdict.
    if not any(name in path for path in failed for name in ("000_", "002_")):
        assert v.contradiction_candidates == 1

    # The long first-person blog (seed 000) is identified as opinion, with its evidence, in
    # tone and share; the reports are not.
    seed = {s.id: Path(s.path).name[:3] for s in b.sources}
    by_seed = {seed[o.article_id]: o for o in b.outlets}
    if "000" in by_seed:
        blog = by_seed["000"]
        assert blog.opinion_piece and blog.first_person_markers >= 10
        assert "Picture this: a crisp autumn morning" in blog.voice_examples
        assert blog.tone != "neutral" and blog.opinion_share >= 0.5
        assert "opinion piece" in to_markdown(b)
    for name, o in by_seed.items():
        if name != "000":
            assert not o.opinion_piece, name
            # The share of the reports rests on the model's claim tags: the 0.5B model tags
            # reporting as opinion (seed 003: 2 of 2), so only the default model is held to it.
            assert o.opinion_share < 0.5 or not tags_claims, name

    # What a reader must not be given (the tests' own judge, tests/reader.py): talk about "the
    # article", repeats, cut sentences, boilerplate framing, hash-like outlet names.
    assert complaints(b) == []
    # Every "leaves out" is a fact other outlets report, named, and not this one.
    names = {o.article_id: o.outlet for o in b.outlets}
    for o in b.outlets:
        for omission in o.omissions:
            reported_by = omission.rsplit("(reported by ", 1)[1].rstrip(")").split(", ")
            assert len(reported_by) >= 2 and o.outlet not in reported_by, omission
            assert set(reported_by) <= set(names.values()), omission

    # Run metadata: at least one analyse call per article plus the synthesis, and every HTTP
    # request the cassette holds is counted (re-asks and retries included).
    r = b.run
    steps = {s.step: s for s in r.steps}
    assert steps["analyse"].calls >= 5 and steps["synthesise"].calls >= 1
    # The small local models are not asked for framing lines: code composes every one.
    assert "framing" not in steps and not any(o.framing_by_model for o in b.outlets)
    assert steps["contrast"].calls == (1 if v.contradiction_candidates else 0)
    assert r.model_calls == len(cassette.data) and r.cached_calls == 0
    assert r.prompt_tokens > r.tokens_after_clean > 0
    assert r.tokens_before_clean > r.tokens_after_clean
    assert r.structured_output == "json_schema"

    md = to_markdown(b)
    assert f"Quotes verified: {v.quotes_verified}/{v.quotes_total}" in md
    assert Briefing.model_validate_json(to_json(b)) == b


@pytest.mark.vcr
def test_brief_all_seeds(cassette: Cassette) -> None:
    b = brief([SEEDS], model_settings())
    check_briefing(b, cassette)
    assert b.run.skipped == []  # the 1.5B model analyses every seed

    # Issue 11: the summary says what happened: the meeting, where and when, what was agreed.
    said = " ".join(s.text for s in b.summary)
    assert "Hangzhou" in said and "Beijing" in said, said
    assert re.search(r"\bNovember [34]\b|\b[34] November\b|\bMonday\b|\bTuesday\b", said), said
    assert re.search(r"\bagreements?\b|\bsign(?:ed|ing)\b", said), said
    # Most of what it says, several outlets report: each sentence cites every one of them.
    assert sum(len(s.citations) for s in b.summary) >= 2 * len(b.summary)

    # Issue 4: the conflicting bilateral-trade figures are surfaced as a contradiction, each
    # side the outlet's own words.
    (trade,) = [c for c in b.contradictions if "$250 billion" in c.sides[0].quote]
    paths = {s.id: Path(s.path).name for s in b.sources}
    assert [paths[s.article_id][:3] for s in trade.sides] == ["000", "002"]
    assert "Last quarter alone, bilateral trade topped $250 billion" in trade.sides[0].quote
    assert "bilateral trade surpassing $240 billion in 2024" in trade.sides[1].quote
    # The note states each side's figure and period in code's words.
    assert "$250 billion" in trade.note and "$240 billion for 2024" in trade.note
    assert "Where outlets disagree" in to_markdown(b)

    # A re-run over unchanged input costs nothing: every call comes from the cache (the
    # cassette would also fail on any extra request).
    again = brief([SEEDS], model_settings())
    assert again.run.model_calls == 0 and again.run.cached_calls >= 6
    assert again.summary == b.summary


@pytest.mark.vcr
@pytest.mark.fast_model
def test_brief_all_seeds_with_the_fast_model(cassette: Cassette) -> None:
    b = brief([SEEDS], model_settings(model=FAST_MODEL))
    check_briefing(b, cassette, tags_claims=False)
    # With string lengths bounded in the grammar the 0.5B model no longer runs into the output
    # limit: every seed is analysed, in one call per chunk (no split-and-retry).
    assert b.run.skipped == []
    chunks = 1 + 1 + 1 + 1 + 2  # seed 000 is ~3,700 tokens: two parts of at most 2,000
    assert {s.step: s.calls for s in b.run.steps}["analyse"] == chunks
