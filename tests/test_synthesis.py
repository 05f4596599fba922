"""briefer.briefing.synthesis: which groups the summary states, and which sentence stands for
each: the model's if it passes, its re-asked one, else the group's own sentence."""

from __future__ import annotations

from briefer.briefing.align import FactGroup, Member
from briefer.briefing.synthesis import accept, pick_groups, summary_size
from briefer.checks.verify import normalize
from briefer.schemas import ClaimKind, GroupSentence

TEXTS = {
    "A1": "Mishustin arrived in Hangzhou on Monday for talks with Li Qiang. Trade reached "
    "$240 billion in 2024. The two sides signed agreements on energy and space.",
    "A2": "Russia's prime minister landed in Hangzhou on Monday to meet Li Qiang. Officials "
    "signed a range of agreements on energy, transport and space.",
    "A3": "Trade between the two countries hit $250 billion last quarter, the blog claims.",
}
NORMALIZED = {label: normalize(t) for label, t in TEXTS.items()}


def member(
    label: str, sentence: str, at: int = 0, kind: ClaimKind = "reported_fact", seeded: bool = True
) -> Member:
    return Member(
        label=label, sentence=sentence, position=at, relative=at / 10, kind=kind, seeded=seeded
    )


VISIT = FactGroup(
    id="G1",
    members=[
        member("A1", "Mishustin arrived in Hangzhou on Monday for talks with Li Qiang."),
        member("A2", "Russia's prime minister landed in Hangzhou on Monday to meet Li Qiang."),
    ],
)
DEALS = FactGroup(
    id="G2",
    members=[
        member("A1", "The two sides signed agreements on energy and space.", at=2),
        member("A2", "Officials signed a range of agreements on energy, transport and space.", 1),
    ],
)
TRADE = FactGroup(id="G3", members=[member("A1", "Trade reached $240 billion in 2024.", at=1)])


class Refix:
    """Stands in for the re-ask: records each call's problems, answers with fixed replies."""

    def __init__(self, *replies: list[GroupSentence]) -> None:
        self.replies = list(replies)
        self.asked: list[list[tuple[str, str, str]]] = []

    def __call__(self, problems: list[tuple[str, str, str]]) -> list[GroupSentence]:
        self.asked.append(problems)
        return self.replies.pop(0)


def said(group: str, text: str) -> GroupSentence:
    return GroupSentence(group=group, text=text)


GOOD_1 = "Mishustin met Li Qiang in Hangzhou on Monday."
GOOD_2 = "Russia and China signed agreements on energy, transport and space."


def test_sentences_that_pass_are_used_and_nothing_is_re_asked() -> None:
    refix = Refix()
    out, dropped = accept(
        [VISIT, DEALS], [said("g1", GOOD_1), said(" G2 ", GOOD_2)], NORMALIZED, refix
    )
    assert [(w.group.id, w.text, w.verbatim) for w in out] == [
        ("G1", GOOD_1, False),
        ("G2", GOOD_2, False),
    ]
    assert dropped == 0 and refix.asked == []


def test_a_meta_sentence_is_re_asked_once_and_the_fixed_one_used() -> None:
    refix = Refix([said("G1", GOOD_1)])
    drafts = [said("G1", "The article discusses the visit to Hangzhou."), said("G2", GOOD_2)]
    out, dropped = accept([VISIT, DEALS], drafts, NORMALIZED, refix)
    (problems,) = refix.asked
    assert [(gid, text) for gid, text, _ in problems] == [
        ("G1", "The article discusses the visit to Hangzhou.")
    ]
    assert "article" in problems[0][2].lower()  # the reason says what to fix
    assert [(w.group.id, w.text, w.verbatim) for w in out] == [
        ("G1", GOOD_1, False),
        ("G2", GOOD_2, False),
    ]
    assert dropped == 0


def test_a_sentence_still_bad_after_the_re_ask_falls_back_to_the_groups_own() -> None:
    refix = Refix([said("G1", "This piece provides an overview of the visit.")])
    drafts = [said("G1", "The article discusses the visit."), said("G2", GOOD_2)]
    out, dropped = accept([VISIT, DEALS], drafts, NORMALIZED, refix)
    assert len(refix.asked) == 1  # once, never twice
    assert out[0].group.id == "G1" and out[0].verbatim
    assert out[0].text in [m.sentence for m in VISIT.members]
    assert out[0].group.labels == ["A1", "A2"]  # it cites every outlet of its group
    assert [w.text for w in out[1:]] == [GOOD_2] and dropped == 0


def test_a_missing_sentence_is_asked_for_and_one_for_an_unknown_group_is_ignored() -> None:
    refix = Refix([said("G2", GOOD_2)])
    out, _ = accept([VISIT, DEALS], [said("G1", GOOD_1), said("G9", GOOD_2)], NORMALIZED, refix)
    (problems,) = refix.asked
    assert [(gid, text) for gid, text, _ in problems] == [("G2", "")]
    assert [(w.group.id, w.text) for w in out] == [("G1", GOOD_1), ("G2", GOOD_2)]


def test_a_number_the_groups_outlets_do_not_state_is_re_asked() -> None:
    """$250 billion stands in A3, which is not in the trade group: it is unsupported there."""
    refix = Refix([said("G3", "Trade reached $240 billion in 2024.")])
    out, _ = accept([TRADE], [said("G3", "Trade reached $250 billion.")], NORMALIZED, refix)
    (problems,) = refix.asked
    assert "250 billion" in problems[0][2]
    assert [w.text for w in out] == ["Trade reached $240 billion in 2024."]


def test_a_repeat_of_another_summary_sentence_is_re_asked() -> None:
    refix = Refix([said("G2", GOOD_2)])
    drafts = [said("G1", GOOD_1), said("G2", "Mishustin met Li Qiang in Hangzhou on Monday.")]
    out, _ = accept([VISIT, DEALS], drafts, NORMALIZED, refix)
    (problems,) = refix.asked
    assert [gid for gid, _, _ in problems] == ["G2"] and "repeats" in problems[0][2]
    assert [w.text for w in out] == [GOOD_1, GOOD_2]


def test_a_cut_sentence_is_re_asked() -> None:
    refix = Refix([said("G1", GOOD_1)])
    accept([VISIT], [said("G1", "Mishustin met Li Qiang in Hangzhou and …")], NORMALIZED, refix)
    (problems,) = refix.asked
    assert problems[0][0] == "G1" and "…" in problems[0][2]


def test_a_group_with_no_plain_sentence_of_its_own_is_dropped() -> None:
    opinion_only = FactGroup(
        id="G4",
        members=[
            member(
                "A3", "Trade between the two countries hit $250 billion last quarter.", 0, "opinion"
            ),
            member("A1", " ".join(["Trade"] * 60) + ".", 3),  # too long to stand in
        ],
    )
    refix = Refix([said("G4", "The blog claims trade hit a record.")])
    out, dropped = accept(
        [opinion_only], [said("G4", "The author says trade grew.")], NORMALIZED, refix
    )
    assert out == [] and dropped == 1


def opinion_group(gid: str) -> FactGroup:
    return FactGroup(
        id=gid, members=[member("A3", "Trade hit a record, the blog claims.", 0, "opinion")]
    )


def test_the_summary_states_reportable_groups_only_and_never_one_twice() -> None:
    same_sentence = FactGroup(id="G5", members=[VISIT.members[0], member("A3", "Other.", 3)])
    groups = [opinion_group("G9"), VISIT, same_sentence, DEALS, TRADE]
    summary, extra = pick_groups(groups, articles=2)
    assert [g.id for g in summary] == ["G1", "G2", "G3"]  # the aligner's order, opinion left out
    ids = [g.id for g in [*summary, *extra]]
    assert "G5" not in ids  # shares its sentence with the visit group
    assert all(g.reportable for g in [*summary, *extra])
    assert summary_size(2) == 3 and len(summary) == 3 and extra == []


def test_summary_size_follows_the_outlets_within_its_bounds() -> None:
    assert [summary_size(n) for n in (1, 2, 3, 5, 9)] == [3, 3, 4, 6, 6]


def shared(gid: str, at: int, words: str) -> FactGroup:
    return FactGroup(
        id=gid,
        members=[
            member("A1", f"Officials in Kazan {words} on Monday.", at),
            member("A2", f"The ministers in Kazan {words} again.", at),
        ],
    )


def single(gid: str, at: int, sentence: str) -> FactGroup:
    return FactGroup(id=gid, members=[member("A3", sentence, at)])


def test_facts_of_one_outlet_enter_the_summary_only_to_reach_three_sentences() -> None:
    a, b = shared("G1", 0, "signed grain contracts"), shared("G2", 1, "opened a rail bridge")
    c = single("G3", 2, "Wheat prices fell by a tenth in October.")
    d = single("G4", 3, "Farmers in Tambov protested against export quotas.")
    summary, extra = pick_groups([a, b, c, d], articles=3)
    assert [g.id for g in summary] == ["G1", "G2", "G3"]
    assert [g.id for g in extra] == ["G4"]


def test_with_enough_shared_facts_the_summary_has_no_single_outlet_fact() -> None:
    topics = [
        "signed grain contracts",
        "opened a rail bridge",
        "cut gas tariffs",
        "launched a satellite",
        "agreed on visas",
    ]
    groups = [shared(f"G{i}", i, t) for i, t in enumerate(topics, start=1)]
    lone = single("G6", 9, "Wheat prices fell by a tenth in October.")
    summary, extra = pick_groups([*groups, lone], articles=3)
    assert [g.id for g in summary] == ["G1", "G2", "G3", "G4"]  # summary_size(3) == 4
    assert [g.id for g in extra] == ["G5", "G6"]


def test_a_fact_whose_only_sentence_leans_on_its_article_is_not_stated() -> None:
    a = shared("G1", 0, "signed grain contracts")
    leaning = single("G2", 1, "It felt like a gut punch to the farmers of Tambov.")
    quoted = single("G3", 2, "“We will not give up,” said the farmers of Tambov.")
    plain = single("G4", 3, "Wheat prices fell by a tenth in October.")
    summary, extra = pick_groups([a, leaning, quoted, plain], articles=3)
    assert [g.id for g in [*summary, *extra]] == ["G1", "G4"]
