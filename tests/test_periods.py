"""briefer.text.periods: the period phrases of a text, and the one nearest a figure."""

from __future__ import annotations

import pytest

from briefer.text.numbers import measure_spans
from briefer.text.periods import nearest_period, period_spans


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Last quarter alone, trade topped $250 billion.", [("last quarter", "for last quarter")]),
        ("In the first nine months of 2025 it fell.", [
            ("first nine months of 2025", "for the first nine months of 2025")]),
        ("From January to October it fell.", [("January to October", "for January to October")]),
        ("It fell in January-September 2025.", [
            ("January–September 2025", "for January–September 2025")]),
        ("Exports fell 21% in September.", [("September", "for September")]),
        ("It rose last year and this year.", [("last year", "for last year"),
                                               ("this year", "for this year")]),
        ("50 bcm of gas annually; $5B Annual Trade", [("a year", "a year"), ("a year", "a year")]),
        ("Up since 2022, in Q3 2025 and fiscal 2024.", [("since 2022", "since 2022"),
                                                         ("Q3 2025", "for Q3 2025"),
                                                         ("fiscal 2024", "for fiscal 2024")]),
        ("Trade surpassed $240 billion in 2024.", [("2024", "for 2024")]),
        ("The whole year and the full year are one.", [("full year", "for the whole year"),
                                                       ("full year", "for the full year")]),
        # A date is not a period, a year inside a figure is none, "a year ago" is no rate.
        ("On November 3, 2025 and 4 November 2025 they met.", []),
        ("Output reached 2000 tonnes, up from a year ago.", []),
        ("It fell year-over-year.", []),
    ],
)  # fmt: skip
def test_period_spans(text: str, found: list[tuple[str, str]]) -> None:
    assert [(p.key, p.words) for p in period_spans(text)] == found


def _nearest(sentence: str, figure: str) -> str | None:
    ((_, _, start, end),) = [
        s for s in measure_spans(sentence) if sentence[s[2] :].startswith(figure)
    ]
    period = nearest_period(sentence, start, end, 0, len(sentence))
    return period.key if period else None


def test_the_period_nearest_the_figure_is_its_period() -> None:
    sentence = "Trade surpassed $240 billion in 2024 (projected to hit $250 billion in 2025)."
    assert _nearest(sentence, "$240 billion") == "2024"
    assert _nearest(sentence, "$250 billion") == "2025"
    # On a tie the period after the figure wins; none in reach gives None.
    assert _nearest("In 2023 $5 billion 2024.", "$5 billion") == "2024"
    assert _nearest("Officials said trade reached $90 billion.", "$90 billion") is None
    s = "In 2024 officials said that bilateral trade reached $90 billion."
    ((_, _, start, end),) = measure_spans(s)
    assert nearest_period(s, start, end, s.index("officials"), len(s)) is None
