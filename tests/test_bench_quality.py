"""The quality benchmark's own judges (bench/quality_metrics.py, bench/baselines.py): each counts
what it should and lets clean text through. Hand-written fixtures only; the evaluation data in
../shared/eval/ is never read here."""

from __future__ import annotations

from pathlib import Path

import baselines
import pytest
import quality
from baselines import consensus, cosine, first_of_each, lead3_center, split_sentences, tfidf
from eval_events import Event, EventArticle, parse_events, select, write_articles
from quality_metrics import (
    BriefingView,
    is_boilerplate,
    is_cut,
    is_meta,
    near_duplicate,
    near_duplicate_pairs,
    score,
)

from briefer.ingest.files import ingest
from briefer.render.render import to_json

from .sample import briefing

OUTLETS = ["Left Daily", "Centre Wire", "Right Post"]


@pytest.mark.parametrize(
    "sentence",
    [
        "The article discusses the ongoing negotiations between the two countries.",
        "This piece provides a comprehensive overview of the summit.",
        "The author argues that the deal is a mistake.",
        "According to the outlet, the talks went well.",
        "The report says that trade rose last year.",
        "It highlights the risks of the new policy.",
        "The story focuses on the victims' families.",
        "Both outlets report that the vote was close.",
        "The coverage discusses the vote in detail.",
    ],
)
def test_a_sentence_about_the_text_is_meta(sentence: str) -> None:
    assert is_meta(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "President Biden received a booster shot on Monday.",
        "McConnell said it was 'an easy decision' to get the third dose.",
        "Senators discussed the bill for six hours on Tuesday.",
        "A report by the inspector general found 12 violations.",
        "The CDC panel voted against boosters for people in high-risk jobs.",
    ],
)
def test_a_sentence_about_the_event_is_not_meta(sentence: str) -> None:
    assert not is_meta(sentence)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "As of now, the threat level is assessed as medium by the agency.",
            "The agency assessed the threat level as medium as of now.",
        ),
        (
            "Biden got his booster shot at the White House on Monday.",
            "Biden got his booster shot at the White House on Monday, days after the CDC "
            "backed boosters for people over 65 and for workers in high-risk jobs.",
        ),
        # 3 of 5 content words shared (Jaccard 0.6), though neither lies 80% inside the other
        ("Trade rose sharply in Moscow.", "Trade rose sharply in Beijing."),
    ],
    ids=["a reworded repeat", "a sentence inside a longer one", "most words shared"],
)
def test_near_duplicates(a: str, b: str) -> None:
    assert near_duplicate(a, b)


def test_a_very_short_sentence_is_not_a_duplicate_of_every_sentence_holding_its_words() -> None:
    assert not near_duplicate(
        "Talks resumed.", "Talks resumed in Geneva after the envoys agreed on a new agenda."
    )


def test_two_facts_of_one_story_are_not_near_duplicates() -> None:
    a = "Biden got his booster shot at the White House on Monday."
    b = "McConnell announced on the Senate floor that he had received a third dose."
    c = "The CDC recommended boosters for people over 65 last week."
    assert near_duplicate_pairs([a, b, c]) == []


def test_the_pairs_name_which_sentences_repeat() -> None:
    s = [
        "Trade between the two countries topped $240 billion in 2024.",
        "The prime ministers met in Hangzhou on 3 November.",
        "In 2024, trade between the two countries topped $240 billion.",
    ]
    assert near_duplicate_pairs(s) == [(0, 2)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia and China signed agreements on trade and…",
        "The minister said the talks were about...",
        'He said "it was about..."',
        "Trade between the two countries grew by",
        "",
    ],
)
def test_a_cut_sentence_is_caught(sentence: str) -> None:
    assert is_cut(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Trade grew by 3% in 2024.",
        "Will the ceasefire hold?",
        'McConnell called it "an easy decision."',
        "McConnell called it “an easy decision”",
    ],
)
def test_a_finished_sentence_is_not_cut(sentence: str) -> None:
    assert not is_cut(sentence)


@pytest.mark.parametrize(
    "framing",
    [
        "The article presents a neutral summary of the key points made in the article.",
        "Takes a neutral stance on the talks without any bias.",
        "Reports the meeting objectively.",
        "Gives a balanced account of both sides.",
        "The article discusses the summit.",
        "Presents a comprehensive overview of the visit.",
        "An unbiased report on the vote.",
        "Keeps a neutral tone throughout.",
        "  ",
    ],
)
def test_a_boilerplate_framing_line_is_caught(framing: str) -> None:
    assert is_boilerplate(framing)


@pytest.mark.parametrize(
    "framing",
    [
        "Leads with the trade deals and casts Russia as China's reliable partner.",
        "Stresses the CDC panel that was overruled, and quotes no health officials.",
    ],
)
def test_a_framing_line_that_says_how_the_outlet_told_it_is_not_boilerplate(
    framing: str,
) -> None:
    assert not is_boilerplate(framing)


def _view(
    summary: list[tuple[str, list[str]]],
    takeaways: list[str],
    framings: list[str],
    outlets: list[str] = OUTLETS,
) -> BriefingView:
    ids = ["a1", "b2", "c3"]
    return BriefingView.model_validate(
        {
            "summary": [{"text": t, "citations": c} for t, c in summary],
            "takeaways": [{"text": t, "citations": ids} for t in takeaways],
            "outlets": [
                {"outlet": o, "framing": f} for o, f in zip(outlets, framings, strict=True)
            ],
            "sources": [{"id": i, "outlet": o} for i, o in zip(ids, outlets, strict=True)],
        }
    )


CLEAN_FRAMINGS = [
    "Leads with Biden's shot in front of cameras.",
    "Puts McConnell's polio story first.",
    "Stresses that the CDC overruled its own panel.",
]


def test_a_clean_briefing_scores_zeros_and_full_credit() -> None:
    view = _view(
        [
            ("Biden got his booster shot on Monday.", ["a1", "b2", "c3"]),
            ("McConnell received a third dose hours later.", ["b2", "c3"]),
        ],
        ["The CDC backed boosters for people over 65 last week."],
        CLEAN_FRAMINGS,
    )
    s = score(view, OUTLETS)
    assert (s.meta, s.near_duplicates, s.cut, s.boilerplate) == ([], [], [], [])
    assert s.summary_sentences == 2
    assert s.cited_per_sentence == 2.5  # (3 + 2) / 2
    assert s.named_share == 1.0


def test_a_flawed_briefing_lists_each_fault_once() -> None:
    repeat = "Biden got his booster shot on Monday at the White House."
    view = _view(
        [
            (repeat, ["a1", "a1", "zz"]),  # one article twice and an unknown id: cites 1
            ("The article discusses the booster campaign.", ["b2"]),
            ("McConnell said he had received a booster…", ["b2"]),
        ],
        ["On Monday Biden got his booster shot at the White House."],
        [CLEAN_FRAMINGS[0], "Takes a neutral stance without any bias.", CLEAN_FRAMINGS[2]],
        outlets=["Left Daily", "Centre Wire", "3-right"],
    )
    s = score(view, OUTLETS)
    assert s.meta == ["The article discusses the booster campaign."]
    assert s.near_duplicates == [
        (repeat, "On Monday Biden got his booster shot at the White House.")
    ]
    assert s.cut == ["McConnell said he had received a booster…"]
    assert s.boilerplate == ["Centre Wire: Takes a neutral stance without any bias."]
    assert s.cited_per_sentence == 1.0
    assert s.named_share == pytest.approx(2 / 3)


def test_an_outlet_the_briefing_lost_counts_as_not_shown() -> None:
    view = _view([("Biden got his booster shot.", ["a1"])], [], CLEAN_FRAMINGS)
    assert score(view, [*OUTLETS, "Fourth Outlet"]).named_share == 0.75


def test_a_briefings_json_reads_as_the_view() -> None:
    b = briefing()
    view = BriefingView.model_validate_json(to_json(b))
    assert [s.text for s in view.summary] == [c.text for c in b.summary]
    assert [s.citations for s in view.summary] == [c.citations for c in b.summary]
    assert [t.text for t in view.takeaways] == [t.text for t in b.takeaways]
    assert [o.framing for o in view.outlets] == [o.framing for o in b.outlets]
    assert [(s.id, s.outlet) for s in view.sources] == [(s.id, s.outlet) for s in b.sources]


def _article(side: str, outlet: str, *paragraphs: str) -> EventArticle:
    return EventArticle(side=side, outlet=outlet, title=f"{outlet} title", paragraphs=[*paragraphs])


# Fact A (the vote) is in every outlet, fact B (the date of the next step) in two; the rest is
# each outlet's own colour.
EVENT = Event(
    id="e1",
    roundup="The council approved the bridge budget. Building starts in March.",
    articles=[
        _article(
            "left",
            "Left Daily",
            "The city council approved the bridge budget of 40 million on Tuesday.",
            "Residents cheered loudly outside the hall. Building work starts in March.",
        ),
        _article(
            "center",
            "Centre Wire",
            "Protesters gathered early near the harbour. Critics fear rising tolls!",
            "The city council approved the bridge budget on Tuesday. Is it enough?",
        ),
        _article(
            "right",
            "Right Post",
            "Taxpayers will foot the bill again. The city council approved the bridge budget.",
            "Building work starts in March, officials said.",
        ),
    ],
)


def test_sentences_split_after_terminal_punctuation_and_space() -> None:
    assert split_sentences("One. Two! Three? Four 3.5 percent.  ") == [
        "One.",
        "Two!",
        "Three?",
        "Four 3.5 percent.",
    ]


def test_lead3_takes_the_center_articles_first_three_sentences() -> None:
    left, center, right = EVENT.articles
    reordered = EVENT.model_copy(update={"articles": [center, left, right]})
    expected = [
        "Protesters gathered early near the harbour.",
        "Critics fear rising tolls!",
        "The city council approved the bridge budget on Tuesday.",
    ]
    assert lead3_center(EVENT) == lead3_center(reordered) == expected


def test_first_of_each_takes_each_outlets_first_sentence_in_order() -> None:
    assert first_of_each(EVENT) == [
        "The city council approved the bridge budget of 40 million on Tuesday.",
        "Protesters gathered early near the harbour.",
        "Taxpayers will foot the bill again.",
    ]


def test_tfidf_vectors_are_unit_length_and_cosine_measures_overlap() -> None:
    same, other, half = tfidf(["bridge budget", "harbour tolls", "bridge vote"])
    assert cosine(same, same) == pytest.approx(1.0)
    assert cosine(same, other) == 0.0
    assert 0.0 < cosine(same, half) < 1.0


def test_consensus_picks_what_the_outlets_share_once_each_in_article_order() -> None:
    picked = consensus(EVENT, k=2)
    vote = [s for s in picked if "council approved" in s]
    start = [s for s in picked if "starts in March" in s]
    assert (len(vote), len(start)) == (1, 1)
    assert picked == [s for a in EVENT.articles for s in split_sentences(a.text) if s in picked]


def test_a_sentence_scores_its_agreement_with_the_other_outlets_plus_a_lead_bonus() -> None:
    shared, own = {"vote": 1.0}, {"tolls": 1.0}
    scores = baselines.consensus_scores(
        [(0, 0, shared), (0, 1, shared), (1, 0, shared), (1, 1, own)]
    )
    assert scores[0] > scores[1] == pytest.approx(1.0 + baselines.LEAD_BONUS / 2)  # lead first
    assert scores[3] == pytest.approx(baselines.LEAD_BONUS / 2)  # no other outlet says it


def test_pick_takes_the_best_scores_and_returns_them_in_their_original_order() -> None:
    apart = [{"a": 1.0}, {"b": 1.0}, {"c": 1.0}]
    assert baselines.pick([0.1, 0.5, 0.9], apart, 2) == [1, 2]


def test_pick_passes_over_a_repeat_of_what_it_already_took() -> None:
    twins = [{"a": 1.0}, {"a": 1.0}, {"b": 1.0}]
    assert baselines.pick([0.9, 0.8, 0.5], twins, 2) == [0, 2]


def test_without_the_redundancy_penalty_consensus_repeats_the_shared_fact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(baselines, "REDUNDANCY", 0.0)
    assert all("council approved" in s for s in consensus(EVENT, k=2))


def test_the_event_articles_are_written_for_briefer_to_read_outlet_and_title(
    tmp_path: Path,
) -> None:
    event = EVENT.model_copy(
        update={"articles": [_article("left", "Left\nDaily", "First para.", "Second para.")]}
    )
    [path] = write_articles(event, tmp_path / "e1")
    [article] = ingest([path], None).articles
    assert (article.outlet, article.outlet_source) == ("Left Daily", "front_matter")
    assert article.title == "Left Daily title"
    assert article.text.strip() == "First para.\n\nSecond para."


def test_events_keep_numeric_ids_as_text_and_reject_a_path_as_id() -> None:
    line = '{"id": 5665, "roundup": "r", "articles": []}'
    assert [e.id for e in parse_events([line, ""])] == ["5665"]
    with pytest.raises(ValueError, match="line 1"):
        parse_events(['{"id": "../x", "roundup": "r", "articles": []}'])


def test_select_takes_named_ids_or_the_first_n() -> None:
    events = [EVENT.model_copy(update={"id": i}) for i in ("a", "b", "c")]
    assert [e.id for e in select(events, 2, None)] == ["a", "b"]
    assert [e.id for e in select(events, 2, ["c", "a"])] == ["c", "a"]
    with pytest.raises(ValueError, match="zz"):
        select(events, 2, ["zz"])


def _row(r1: float, **faults: list[str]) -> quality.Row:
    q = score(_view([("Biden got his booster shot.", ["a1", "b2"])], [], CLEAN_FRAMINGS), OUTLETS)
    for name, found in faults.items():
        setattr(q, name, found)
    return quality.Row("e", {"rouge1": r1, "rouge2": 0.2, "rougeL": 0.3}, q)


BARS = {quality.CONSENSUS: {"rouge1": 0.4, "rouge2": 0.1, "rougeL": 0.2}}


def test_the_thresholds_pass_only_when_every_one_holds() -> None:
    assert all(quality.verdicts([_row(0.45), _row(0.4)], [], BARS).values())
    failing = {
        "below the consensus": quality.verdicts([_row(0.45), _row(0.3)], [], BARS),
        "a cut sentence": quality.verdicts([_row(0.5), _row(0.5, cut=["Cut…"])], [], BARS),
        "a missing event": quality.verdicts([_row(0.5)], ["e2"], BARS),
    }
    for why, checks in failing.items():
        assert [c for c, ok in checks.items() if not ok], why
