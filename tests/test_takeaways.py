"""briefer.story.takeaways: the model's points a reader would keep, each cited to the outlets
of its groups, and the outlets' disagreements in code-composed words."""

from __future__ import annotations

from briefer.checks.verify import normalize
from briefer.schemas.briefing import BriefContradiction, Side
from briefer.schemas.replies import ClaimKind, TakeawayDraft
from briefer.story.align import FactGroup, Member
from briefer.story.synthesis import Slot
from briefer.story.takeaways import MAX_TAKEAWAYS, takeaways

from .slots import whole

TEXTS = {
    "A1": normalize("Mishustin met Li Qiang in Hangzhou. Trade reached $240 billion in 2024."),
    "A2": normalize("Russia's prime minister met Li Qiang. A gas deal is due next year."),
    "A3": normalize("Trade topped $250 billion last quarter, I think."),
}


def group(gid: str, *members: tuple[str, ClaimKind]) -> Slot:
    return whole(
        FactGroup(
            id=gid,
            members=[
                Member(
                    label=label, sentence=f"{gid} sentence.", position=0, relative=0.0, kind=kind
                )
                for label, kind in members
            ],
        )
    )


VISIT = group("G1", ("A1", "reported_fact"), ("A2", "reported_fact"))
GAS = group("G2", ("A2", "reported_fact"))
BLOG = group("G3", ("A3", "opinion"))
SUMMARY = ["Mishustin met Li Qiang in Hangzhou on Monday."]


def draft(text: str, *groups: str) -> TakeawayDraft:
    return TakeawayDraft(groups=list(groups), text=text)


def test_a_point_cites_every_outlet_of_its_groups() -> None:
    points, dropped = takeaways(
        [draft("Li Qiang's talks point to a gas deal next year.", "g2", "G1")],
        offered=[VISIT, GAS, BLOG],
        spare=[],
        summary=SUMMARY,
        contradictions=[],
        texts=TEXTS,
    )
    assert [(p.text, p.labels) for p in points] == [
        ("Li Qiang's talks point to a gas deal next year.", ["A1", "A2"])
    ]
    assert dropped == []


def test_a_repeat_of_a_summary_sentence_or_an_earlier_point_is_dropped() -> None:
    points, dropped = takeaways(
        [
            draft("Mishustin met Li Qiang in Hangzhou.", "G1"),  # the summary again
            draft("A gas deal is due next year.", "G2"),
            draft("A gas deal is due next year, officials said.", "G2"),  # the point again
        ],
        offered=[VISIT, GAS],
        spare=[],
        summary=SUMMARY,
        contradictions=[],
        texts=TEXTS,
    )
    assert [p.text for p in points] == ["A gas deal is due next year."]
    assert len(dropped) == 2 and all("repeats" in d for d in dropped)


def test_points_resting_on_opinion_or_on_no_offered_group_are_dropped() -> None:
    points, dropped = takeaways(
        [
            draft("Trade is booming beyond anything seen before.", "G3"),  # the blog's opinion
            draft("Sanctions will fail.", "G7"),  # no such group offered
        ],
        offered=[VISIT, GAS, BLOG],
        spare=[],
        summary=SUMMARY,
        contradictions=[],
        texts=TEXTS,
    )
    assert points == [] and len(dropped) == 2
    assert all("no reported fact" in d for d in dropped)


def test_meta_cut_and_unsupported_number_points_are_dropped() -> None:
    points, dropped = takeaways(
        [
            draft("The article highlights the growing partnership.", "G1"),
            draft("Trade between the neighbours keeps growing and", "G1"),
            draft("Trade will reach $300 billion.", "G1"),
        ],
        offered=[VISIT],
        spare=[],
        summary=[],
        contradictions=[],
        texts=TEXTS,
    )
    assert points == []
    assert ["talks about" in dropped[0], "sentence" in dropped[1], "300 billion" in dropped[2]] == [
        True,
        True,
        True,
    ]


def contradiction() -> BriefContradiction:
    return BriefContradiction(
        topic="bilateral trade",
        sides=[
            Side(article_id="id1", outlet="Wire", quote="Trade reached $240 billion in 2024."),
            Side(article_id="id3", outlet="Blog", quote="Trade topped $250 billion last quarter"),
        ],
        note="one gives the year 2024, the other a quarter.",
    )


def test_a_contradiction_becomes_a_point_citing_both_sides() -> None:
    points, _ = takeaways(
        [draft("A gas deal is due next year.", "G2")],
        offered=[VISIT, GAS],
        spare=[],
        summary=SUMMARY,
        contradictions=[(contradiction(), ["A1", "A3"])],
        texts=TEXTS,
    )
    assert points[0].text == "A gas deal is due next year."
    last = points[-1]
    assert "bilateral trade" in last.text and "one gives the year 2024" in last.text
    assert last.labels == ["A1", "A3"]


def test_no_more_than_the_most_points_are_kept() -> None:
    drafts = [
        draft(text, "G1")
        for text in [
            "Mishustin went to Hangzhou.",
            "Trade reached a record level.",
            "A gas deal is due.",
            "Russia's prime minister met Li Qiang.",
        ]
    ]
    points, _ = takeaways(
        drafts,
        offered=[VISIT],
        spare=[],
        summary=[],
        contradictions=[(contradiction(), ["A1", "A3"])] * 3,
        texts=TEXTS,
    )
    assert len(points) == MAX_TAKEAWAYS
    assert [p.text for p in points[:4]] == [d.text for d in drafts]  # the model's first


def test_too_few_points_are_topped_up_from_spare_groups_verbatim() -> None:
    """The spare groups' own sentences fill up to three points: reported ones only, no repeats."""
    gas = FactGroup(
        id="G2",
        members=[
            Member(
                label="A2",
                sentence="A gas deal between the two governments is due next year.",
                position=1,
                relative=0.5,
            )
        ],
    )
    blog = FactGroup(
        id="G3",
        members=[
            Member(
                label="A3",
                sentence="Trade will soar beyond anything seen in a generation.",
                position=0,
                relative=0.0,
                kind="opinion",
            )
        ],
    )
    points, _ = takeaways(
        [],
        offered=[VISIT, whole(gas), whole(blog)],
        spare=[whole(blog), whole(gas)],
        summary=SUMMARY,
        contradictions=[],
        texts=TEXTS,
    )
    assert [(p.text, p.labels) for p in points] == [
        ("A gas deal between the two governments is due next year.", ["A2"])
    ]


def test_a_point_that_adds_a_judgement_its_outlets_never_make_is_dropped() -> None:
    points, dropped = takeaways(
        [draft("The visit underscores the urgent need for transparency and accountability.", "G1")],
        offered=[VISIT, GAS],
        spare=[],
        summary=SUMMARY,
        contradictions=[],
        texts=TEXTS,
    )
    assert points == []
    assert len(dropped) == 1 and "transparency" in dropped[0] and "accountability" in dropped[0]
