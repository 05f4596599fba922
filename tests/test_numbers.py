"""Number normalisation and the claim checks on summary sentences and takeaways."""

from __future__ import annotations

from briefer.checks.verify import Verifier
from briefer.text.numbers import numbers, unsupported

from .conftest import SEEDS


def test_scaled_forms_of_one_amount_compare_equal() -> None:
    assert numbers("$250 billion") == numbers("250 bn") == numbers("$250B") == {250e9}
    assert numbers("1,200 people and 3.8 percent") == {1200.0, 3.8}
    assert numbers("no figures here") == set()


def test_unsupported_lists_only_numbers_missing_from_every_source() -> None:
    sources = ["trade topped $250 billion last quarter", "exports fell 21% in September"]
    assert unsupported("Trade hit $250B while exports fell 21%.", sources) == []
    assert unsupported("Trade hit $300 billion.", sources) == [300e9]


def test_claim_flags_invented_numbers_and_unsupported_citations() -> None:
    blog = (SEEDS / "000_37727bd3f3f41417.txt").read_text(encoding="utf-8")
    cnbc = (SEEDS / "001_194ea32b46bea275.txt").read_text(encoding="utf-8")
    v = Verifier({"A1": blog, "A2": cnbc})
    assert v.claim("Bilateral trade topped $250 billion last quarter.", ["A1"]) == []
    flags = v.claim("Bilateral trade reached $999 billion.", ["A1"])
    assert flags == ["number 9.99e+11 is not in the cited articles"]
    # The CNBC article never mentions Gazprom, so citing it for that claim is unsupported.
    flags = v.claim("The talks covered Gazprom.", ["A2"])
    assert flags == ["A2 mentions none of: gazprom"]
    r = v.report
    assert (r.numbers_total, r.numbers_verified) == (2, 1)
    assert r.citations_supported == 2  # the first two claims; the Gazprom one is not
    assert len(r.flagged) == 2


def test_measures_group_figures_by_kind_with_ranges_and_scales() -> None:
    from briefer.text.numbers import human, measure_spans

    def measures(text: str) -> list[tuple[str, set[float]]]:
        return [(kind, values) for kind, values, _, _ in measure_spans(text)]

    assert measures("trade surpassing $240 billion in 2024, up 5% year-over-year") == [
        ("money", {240e9}),
        ("percent", {5.0}),
    ]
    assert measures("$240–250 billion a year") == [("money", {240e9, 250e9})]
    assert measures("2.3 trillion yuan and US$3.5 million") == [
        ("money", {2.3e12}),
        ("money", {3.5e6}),
    ]
    assert measures("50 billion cubic metres of gas") == [("volume", {50e9})]
    assert measures("in 2025 there were 30 deals") == []  # years and counts are not measures
    assert [human(n) for n in (2.5e11, 3.5e6, 47.0)] == ["250 billion", "3.5 million", "47"]


def test_a_possessive_name_is_supported_by_the_name() -> None:
    """'Russia and China's partnership' cites an article that writes China, never "China's"."""
    v = Verifier({"A1": "China and Russia signed deals in Hangzhou on Monday."})
    assert v.claim("Russia and China's partnership deepened in Hangzhou.", ["A1"]) == []
    assert v.claim("Russia and Gazprom's partnership deepened.", ["A1"]) == [
        "A1 mentions none of: gazprom"
    ]
