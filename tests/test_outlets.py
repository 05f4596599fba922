"""briefer.story.outlets: what each outlet alone reports and what it leaves out, computed
from the fact groups (never written by the model)."""

from __future__ import annotations

from briefer.schemas.replies import ClaimKind
from briefer.story.align import FactGroup, Member
from briefer.story.outlets import MAX_OMISSIONS, coverage, omissions, only_here, profiles

NAMES = {"A1": "Wire", "A2": "Post", "A3": "Blog"}
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]


def fact(gid: str) -> str:
    """The sentence of a group's fact, as each of its outlets writes it."""
    return f"The {WORDS[int(gid[1:]) - 1]} deal was signed."


def group(
    gid: str, labels: list[str], kind: ClaimKind = "reported_fact", at: float = 0.0
) -> FactGroup:
    return FactGroup(
        id=gid,
        members=[
            Member(
                label=label,
                sentence=fact(gid),
                position=int(at * 10),
                relative=at,
                kind=kind,
                seeded=True,
            )
            for label in labels
        ],
    )


TWO_OF_THREE = group("G1", ["A1", "A2"])
ONE_OF_THREE = group("G2", ["A1"])
ALL_THREE = group("G3", ["A1", "A2", "A3"])


def test_a_fact_two_of_three_outlets_report_is_an_omission_of_the_third() -> None:
    groups = [ALL_THREE, TWO_OF_THREE, ONE_OF_THREE]
    written = {"G1": "Leaders signed an energy accord."}
    assert omissions("A3", groups, NAMES, written) == [
        "Leaders signed an energy accord. (reported by Wire, Post)"
    ]
    # A fact only one outlet reports is no one's omission, and nobody omits what it reports.
    assert omissions("A2", groups, NAMES, written) == []
    assert omissions("A1", groups, NAMES, written) == []


def test_an_omission_without_a_summary_sentence_is_said_in_an_outlets_own_sentence() -> None:
    assert omissions("A3", [TWO_OF_THREE], NAMES, {}) == [f"{fact('G1')} (reported by Wire, Post)"]


def test_what_most_others_report_counts_and_what_few_report_does_not() -> None:
    names = {f"A{i}": f"Outlet {i}" for i in range(1, 6)}
    two_of_five = group("G1", ["A1", "A2"])
    three_of_five = group("G2", ["A1", "A2", "A3"])
    groups = [three_of_five, two_of_five]
    # For A5 the others are four: three of them is most, two of them is not.
    assert [x.split(" (")[0] for x in omissions("A5", groups, names, {})] == [fact("G2")]


def test_a_writers_opinion_is_no_ones_omission() -> None:
    opinion = group("G1", ["A1", "A2"], kind="opinion")
    assert omissions("A3", [opinion], NAMES, {}) == []


def test_omissions_stop_at_the_most_shown() -> None:
    groups = [group(f"G{i}", ["A1", "A2"]) for i in range(1, 8)]
    assert len(omissions("A3", groups, NAMES, {})) == MAX_OMISSIONS


def test_only_here_lists_what_one_outlet_alone_reports_in_its_order() -> None:
    groups = [ALL_THREE, group("G4", ["A3"], at=0.8), group("G5", ["A3"], at=0.2), ONE_OF_THREE]
    assert only_here("A3", groups, {"G4": "Late fact."}) == [fact("G5"), "Late fact."]
    assert only_here("A2", groups, {}) == []


def test_profiles_carry_each_outlets_computed_coverage() -> None:
    groups = [ALL_THREE, TWO_OF_THREE, ONE_OF_THREE]
    found = profiles(
        leads={"A1": "Lead one.", "A2": "Lead two.", "A3": ""},
        titles={"A1": "T1", "A2": "T2", "A3": "T3"},
        names=NAMES,
        opinion={"A1": False, "A2": False, "A3": True},
        groups=groups,
        written={},
    )
    assert [(p.label, p.outlet, p.lead, p.opinion_piece) for p in found] == [
        ("A1", "Wire", "Lead one.", False),
        ("A2", "Post", "Lead two.", False),
        ("A3", "Blog", "", True),
    ]
    assert [len(p.omissions) for p in found] == [0, 0, 1]
    assert found[0].only_here == [fact("G2")]


def test_in_a_two_outlet_story_what_one_alone_reports_is_not_the_others_omission() -> None:
    names = {"A1": "Wire", "A2": "Post"}
    alone = group("G2", ["A1"])
    assert omissions("A2", [alone], names, {}) == []
    assert only_here("A1", [alone], {}) == [fact("G2")]  # it shows there instead


def test_only_here_skips_asides_that_say_nothing_on_their_own() -> None:
    asides = {
        "G4": "Below, I tie together the core elements of the visit.",
        "G5": "The agenda? A laundry list of deals.",
        "G6": "It felt like a gut punch to the town.",
    }
    groups = [group(g, ["A3"], at=0.1 * i) for i, g in enumerate(["G4", "G5", "G6", "G7"])]
    assert only_here("A3", groups, asides) == [fact("G7")]


def test_the_coverage_grid_shows_reported_facts_of_two_outlets_or_in_the_summary() -> None:
    ids = {"A1": "id-wire", "A2": "id-post", "A3": "id-blog"}
    only_opinion = group("G4", ["A1", "A2"], kind="opinion")
    in_summary = group("G5", ["A3"])
    echoed = ALL_THREE.model_copy(update={"id": "G6", "members": TWO_OF_THREE.members})
    echoed.echoes = ["A3"]
    rows = coverage(
        [ALL_THREE, TWO_OF_THREE, ONE_OF_THREE, only_opinion, in_summary, echoed],
        {"G5": "The echo deal, as the summary says it."},
        ids,
    )
    assert [r.fact for r in rows] == [
        fact("G3"),
        fact("G1"),
        "The echo deal, as the summary says it.",
        fact("G1"),
    ]
    assert rows[0].reported == {i: fact("G3") for i in ids.values()}
    assert rows[2].reported == {"id-blog": fact("G5")}
    assert rows[3].echoed == ["id-blog"] and set(rows[3].reported) == {"id-wire", "id-post"}
