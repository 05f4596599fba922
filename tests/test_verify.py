"""briefer.checks.verify: quotes must stand in their article, citations must name a real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefer.checks.verify import Verifier, normalize, quote_in
from briefer.schemas.briefing import QuotedSource
from briefer.schemas.replies import ArticleAnalysis, Fact, LoadedPhrase

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text("utf-8")


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    """A1 = seed 000 (blog), A2 = seed 001 (CNBC), A3 = seed 002 (world blog)."""
    return {"A1": seed("000"), "A2": seed("001"), "A3": seed("002")}


# --- normalize / quote_in ----------------------------------------------------------------


def test_normalize_folds_quotes_dashes_case_and_spaces() -> None:
    assert normalize("“Dear  Friend,”\n said \u2018Mishustin\u2019") == normalize(
        "\"dear friend,\" said 'MISHUSTIN'"
    )
    assert normalize("China\u2013Russia \u2014 trade") == normalize("china-russia - TRADE")
    assert normalize("  many\t\tissues \n") == "many issues"
    assert normalize("wait…") == normalize("wait...")
    assert normalize("a b") != normalize("ab")  # whitespace collapses, it does not vanish


def test_quote_in_accepts_verbatim_quote_with_other_marks_case_and_spacing(
    texts: dict[str, str],
) -> None:
    text = normalize(texts["A2"])
    assert quote_in('Calling his Chinese counterpart his "dear friend,"', text)
    assert quote_in("AT THEIR HIGHEST LEVEL   in their\ncenturies-long history", text)
    assert quote_in("Russia\u2019s Prime Minister Mikhail Mishustin arrived in Hangzhou", text)
    assert quote_in("Russia's Prime Minister Mikhail Mishustin arrived in Hangzhou", text)
    assert quote_in("“amazing,”", text)


def test_quote_in_accepts_elisions_in_order(texts: dict[str, str]) -> None:
    text = normalize(texts["A2"])
    assert quote_in(
        "relations between Russia and China were ... despite various obstacles and illegal "
        "Western sanctions",
        text,
    )
    assert quote_in("China and Russia always support each other … jointly overcome", text)


def test_quote_in_rejects_pieces_out_of_order(texts: dict[str, str]) -> None:
    text = normalize(texts["A2"])
    assert not quote_in(
        "despite various obstacles and illegal Western sanctions ... relations between Russia "
        "and China were",
        text,
    )


def test_quote_in_rejects_paraphrase(texts: dict[str, str]) -> None:
    text = normalize(texts["A2"])
    assert quote_in("relations between Russia and China were", text)
    assert not quote_in("relations between China and Russia were", text)
    assert not quote_in("ties are at their best level in centuries", text)


@pytest.mark.parametrize("quote", ["", "ok", "“a”", "...", " . ", "X …"])
def test_quote_in_rejects_quotes_under_three_chars(quote: str, texts: dict[str, str]) -> None:
    text = normalize(texts["A2"])
    assert all(ch in text for ch in normalize(quote).strip(" '.,;:"))  # present, still refused
    assert not quote_in(quote, text)


# --- Verifier.analysis -------------------------------------------------------------------


def analysis(**overrides: object) -> ArticleAnalysis:
    values: dict[str, object] = {
        "genre": "news_report",
        "tone": "neutral",
        "facts": [],
        "loaded_wording": [],
    }
    values.update(overrides)
    return ArticleAnalysis.model_validate(values)


def test_analysis_keeps_verified_wording_and_counts_only_what_is_shown(
    texts: dict[str, str],
) -> None:
    """Loaded wording is shown verbatim, so it is checked and counted; a fact's words only
    point code to the article's sentence (the sentence is what is shown), so they are not."""
    invented_fact = Fact(quote="the two countries signed a military alliance", kind="opinion")
    real_loaded = LoadedPhrase(quote="illegal Western sanctions", neutral="Western sanctions")
    invented_loaded = LoadedPhrase(quote="a humiliating defeat", neutral="a setback")
    original = analysis(facts=[invented_fact], loaded_wording=[real_loaded, invented_loaded])
    v = Verifier(texts)
    out = v.analysis("A2", original)

    assert out.facts == original.facts
    assert out.loaded_wording == [real_loaded]
    assert original.loaded_wording == [real_loaded, invented_loaded]  # the input is not modified
    r = v.report
    assert (r.quotes_total, r.quotes_verified, r.items_dropped) == (2, 1, 1)
    assert "humiliating" in "\n".join(r.flagged)
    assert all(line.startswith("A2: ") for line in r.flagged)


def test_analysis_under_unknown_label_verifies_nothing(texts: dict[str, str]) -> None:
    a = analysis(loaded_wording=[LoadedPhrase(quote="have a wasted meeting", neutral="x")])
    v = Verifier(texts)
    out = v.analysis("A9", a)
    assert out.loaded_wording == []
    assert (v.report.quotes_total, v.report.quotes_verified, v.report.items_dropped) == (1, 0, 1)


def test_counts_accumulate_across_articles(texts: dict[str, str]) -> None:
    v = Verifier(texts)
    v.analysis("A1", analysis(loaded_wording=[LoadedPhrase(quote="fake news", neutral="x")]))
    v.analysis("A3", analysis(loaded_wording=[LoadedPhrase(quote="made-up words", neutral="x")]))
    assert (v.report.quotes_total, v.report.quotes_verified, v.report.items_dropped) == (2, 1, 1)


def test_quotes_found_in_code_are_counted_and_only_real_ones_kept(texts: dict[str, str]) -> None:
    real = QuotedSource(who="Trump", quote="have a wasted meeting")
    fake = QuotedSource(who="Putin", quote="We will never bow to Western pressure")
    v = Verifier(texts)
    assert v.quotes("A2", [real, fake]) == [real]
    assert (v.report.quotes_total, v.report.quotes_verified) == (2, 1)
    assert any("never bow" in line for line in v.report.flagged)


def test_empty_quotes_are_dropped_without_counting(texts: dict[str, str]) -> None:
    """An empty quote is nothing to show, not an unverifiable quote: it must not lower the
    'quotes verified' ratio nor appear as a flag."""
    a = analysis(loaded_wording=[LoadedPhrase(quote="", neutral="")])
    v = Verifier(texts)
    out = v.analysis("A2", a)
    assert out.loaded_wording == []
    assert (v.report.quotes_total, v.report.quotes_verified) == (0, 0)
    assert v.report.flagged == []


def test_a_citation_of_an_article_not_in_the_briefing_is_counted_but_not_valid(
    texts: dict[str, str],
) -> None:
    """The "citations valid" figure can fail: A9 names no article of this briefing."""
    v = Verifier(texts)
    v.claim("Mishustin met Li Qiang in Hangzhou.", ["A2", "A9"])
    assert (v.report.citations_total, v.report.citations_valid) == (2, 1)
    v.claim("Mishustin met Li Qiang in Hangzhou.", ["A1"])
    assert (v.report.citations_total, v.report.citations_valid) == (3, 2)
