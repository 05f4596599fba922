"""briefer.story.synthesis: which groups the summary states, and which sentence stands for
each: the model's if it passes, its re-asked one, else the group's own sentence."""

from __future__ import annotations

from briefer.checks.verify import normalize
from briefer.schemas.replies import ClaimKind, GroupSentence
from briefer.story.align import FactGroup, Member
from briefer.story.synthesis import Problem, Slot, accept, fallback, pick, summary_size

from .slots import whole

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
        self.asked: list[list[Problem]] = []

    def __call__(self, problems: list[Problem]) -> list[GroupSentence]:
        self.asked.append(problems)
        return self.replies.pop(0)


def slots(*groups: FactGroup) -> list[Slot]:
    return [whole(g) for g in groups]


def said(group: str, text: str) -> GroupSentence:
    return GroupSentence(group=group, text=text)


GOOD_1 = "Mishustin met Li Qiang in Hangzhou on Monday."
GOOD_2 = "Russia and China signed agreements on energy, transport and space."


def test_sentences_that_pass_are_used_and_nothing_is_re_asked() -> None:
    refix = Refix()
    out, dropped = accept(
        slots(VISIT, DEALS), [said("g1", GOOD_1), said(" G2 ", GOOD_2)], NORMALIZED, refix
    )
    assert [(w.slot.id, w.text, w.verbatim) for w in out] == [
        ("G1", GOOD_1, False),
        ("G2", GOOD_2, False),
    ]
    assert dropped == 0 and refix.asked == []


def test_a_meta_sentence_is_re_asked_once_and_the_fixed_one_used() -> None:
    refix = Refix([said("G1", GOOD_1)])
    drafts = [said("G1", "The article discusses the visit to Hangzhou."), said("G2", GOOD_2)]
    out, dropped = accept(slots(VISIT, DEALS), drafts, NORMALIZED, refix)
    (problems,) = refix.asked
    assert [(gid, text) for gid, text, _ in problems] == [
        ("G1", "The article discusses the visit to Hangzhou.")
    ]
    assert "article" in problems[0][2].lower()  # the reason says what to fix
    assert [(w.slot.id, w.text, w.verbatim) for w in out] == [
        ("G1", GOOD_1, False),
        ("G2", GOOD_2, False),
    ]
    assert dropped == 0


def test_a_sentence_still_bad_after_the_re_ask_falls_back_to_the_groups_own() -> None:
    refix = Refix([said("G1", "This piece provides an overview of the visit.")])
    drafts = [said("G1", "The article discusses the visit."), said("G2", GOOD_2)]
    out, dropped = accept(slots(VISIT, DEALS), drafts, NORMALIZED, refix)
    assert len(refix.asked) == 1  # once, never twice
    assert out[0].slot.id == "G1" and out[0].verbatim
    assert out[0].text in [m.sentence for m in VISIT.members]
    assert out[0].slot.labels == ["A1", "A2"]  # it cites every outlet of its group
    assert [w.text for w in out[1:]] == [GOOD_2] and dropped == 0


def test_a_missing_sentence_is_asked_for_and_one_for_an_unknown_group_is_ignored() -> None:
    refix = Refix([said("G2", GOOD_2)])
    out, _ = accept(
        slots(VISIT, DEALS), [said("G1", GOOD_1), said("G9", GOOD_2)], NORMALIZED, refix
    )
    (problems,) = refix.asked
    assert [(gid, text) for gid, text, _ in problems] == [("G2", "")]
    assert [(w.slot.id, w.text) for w in out] == [("G1", GOOD_1), ("G2", GOOD_2)]


def test_a_number_the_groups_outlets_do_not_state_is_re_asked() -> None:
    """$250 billion stands in A3, which is not in the trade group: it is unsupported there."""
    refix = Refix([said("G3", "Trade reached $240 billion in 2024.")])
    out, _ = accept(slots(TRADE), [said("G3", "Trade reached $250 billion.")], NORMALIZED, refix)
    (problems,) = refix.asked
    assert "250 billion" in problems[0][2]
    assert [w.text for w in out] == ["Trade reached $240 billion in 2024."]


def test_a_repeat_of_another_summary_sentence_is_re_asked() -> None:
    refix = Refix([said("G2", GOOD_2)])
    drafts = [said("G1", GOOD_1), said("G2", "Mishustin met Li Qiang in Hangzhou on Monday.")]
    out, _ = accept(slots(VISIT, DEALS), drafts, NORMALIZED, refix)
    (problems,) = refix.asked
    assert [gid for gid, _, _ in problems] == ["G2"] and "repeats" in problems[0][2]
    assert [w.text for w in out] == [GOOD_1, GOOD_2]


def test_a_cut_sentence_is_re_asked() -> None:
    refix = Refix([said("G1", GOOD_1)])
    accept(
        slots(VISIT), [said("G1", "Mishustin met Li Qiang in Hangzhou and …")], NORMALIZED, refix
    )
    (problems,) = refix.asked
    assert problems[0][0] == "G1" and "…" in problems[0][2]


def test_a_group_with_no_plain_sentence_of_its_own_is_dropped() -> None:
    opinion_only = FactGroup(
        id="G4",
        members=[
            member(
                "A3", "Trade between the two countries hit $250 billion last quarter.", 0, "opinion"
            ),
            member("A1", " ".join(["Trade"] * 80) + ".", 3),  # too long to stand in
        ],
    )
    refix = Refix([said("G4", "The blog claims trade hit a record.")])
    out, dropped = accept(
        slots(opinion_only), [said("G4", "The author says trade grew.")], NORMALIZED, refix
    )
    assert out == [] and dropped == 1


def opinion_group(gid: str) -> FactGroup:
    return FactGroup(
        id=gid, members=[member("A3", "Trade hit a record, the blog claims.", 0, "opinion")]
    )


def test_summary_size_follows_the_outlets_within_its_bounds() -> None:
    assert [summary_size(n) for n in (1, 2, 3, 5, 9)] == [3, 3, 3, 5, 6]


def agreed(
    label: str, sentence: str, at: int, agreement: float, kind: ClaimKind = "reported_fact"
) -> Member:
    return member(label, sentence, at, kind).model_copy(update={"agreement": agreement})


# The main event, as three outlets tell it (each adds its own detail), and what one alone says.
EVENT = FactGroup(
    id="G1",
    members=[
        agreed("A1", "Mishustin arrived in Hangzhou on Monday for talks with Li Qiang.", 0, 0.4),
        agreed("A2", "Russia's prime minister began a two-day visit to China on Monday.", 0, 0.35),
        agreed(
            "A3", "Xi Jinping received Mishustin in Beijing on Tuesday after the talks.", 0, 0.3
        ),
    ],
)
GRAIN = FactGroup(
    id="G2", members=[agreed("A2", "Grain exports from Rostov doubled in October.", 3, 0.05)]
)
SPACE = FactGroup(
    id="G3", members=[agreed("A1", "The lunar station project gained two partners.", 4, 0.04)]
)


def test_the_main_event_told_in_detail_by_every_outlet_takes_the_summary_and_cites_all() -> None:
    summary, extra = pick([EVENT, GRAIN, SPACE], articles=3)
    # Two sentences of the main event (a third would retell it), then the next fact.
    assert [s.group.id for s in summary] == ["G1", "G1", "G2"]
    assert summary[0].labels == summary[1].labels == ["A1", "A2", "A3"]
    # Each slot restates another outlet's sentence; the unused one helps exactly one of them.
    assert [s.shown[0].label for s in summary[:2]] == ["A1", "A2"]
    assert sorted(m.label for s in summary[:2] for m in s.shown[1:]) == ["A3"]
    assert [s.id for s in summary] == ["G1", "G2", "G3"]  # the prompt's ids, in order
    assert [(s.id, s.group.id) for s in extra] == [("G4", "G3")]


def test_a_sentence_the_chosen_ones_already_say_gives_way_to_a_new_fact() -> None:
    echo = FactGroup(
        id="G1",
        members=[
            agreed(
                "A1", "Mishustin arrived in Hangzhou on Monday for talks with Li Qiang.", 0, 0.4
            ),
            agreed(
                "A2", "Mishustin arrived in Hangzhou on Monday for talks with Li Qiang.", 0, 0.4
            ),
        ],
    )
    summary, _ = pick([echo, GRAIN, SPACE], articles=3)
    assert [s.group.id for s in summary] == ["G1", "G2", "G3"]


def test_opinion_leaning_quoted_and_meta_sentences_are_never_restated() -> None:
    leaning = FactGroup(
        id="G4",
        members=[
            agreed("A1", "It felt like a gut punch to the farmers of Tambov.", 1, 0.9),
            agreed("A2", "“We will not give up,” said the farmers of Tambov.", 1, 0.9),
            agreed("A3", "The article describes the protest of the Tambov farmers.", 1, 0.9),
        ],
    )
    summary, extra = pick([opinion_group("G9"), leaning, GRAIN, SPACE], articles=2)
    assert [s.group.id for s in [*summary, *extra]] == ["G2", "G3"]


def test_a_facts_unused_sentence_helps_the_slot_it_is_closest_to() -> None:
    def terms(m: Member, words: str) -> Member:
        return m.model_copy(update={"terms": {w: 0.5 for w in words.split()}})

    a1, a2, a3 = EVENT.members
    event = EVENT.model_copy(
        update={
            "members": [
                terms(a1, "hangzhou monday talks li"),
                terms(a2, "visit china monday days"),
                terms(a3, "visit china beijing tuesday"),
            ]
        }
    )
    summary, _ = pick([event, GRAIN, SPACE], articles=3)
    # A2 and A3 both tell of the visit to China: whichever is restated, the other helps it.
    assert [m.label for m in summary[0].shown] == ["A1"]
    assert sorted(m.label for m in summary[1].shown) == ["A2", "A3"]


def test_takeaways_are_offered_the_next_best_sentences_not_a_third_telling() -> None:
    lone = FactGroup(
        id="G4", members=[agreed("A2", "Officials in Rostov opened a new grain terminal.", 1, 0.2)]
    )
    summary, extra = pick([EVENT, GRAIN, SPACE, lone], articles=3)
    assert [s.group.id for s in summary] == ["G1", "G1", "G4"]
    # The event's third sentence would retell it; what is left comes next, best first.
    assert [s.group.id for s in extra] == ["G2", "G3"]
    assert all(s.shown[0].label != "A3" for s in [*summary, *extra])


def test_a_sentence_slipped_into_another_groups_place_is_re_asked() -> None:
    refix = Refix([said("G1", GOOD_1)])
    drafts = [said("G1", GOOD_2), said("G2", GOOD_2)]  # the deals, written for the visit too
    out, _ = accept(slots(VISIT, DEALS), drafts, NORMALIZED, refix)
    (problems,) = refix.asked
    assert [gid for gid, _, _ in problems] == ["G1"] and "own group" in problems[0][2]
    assert [w.text for w in out] == [GOOD_1, GOOD_2]


def test_a_sentence_in_the_writers_own_voice_never_stands_in() -> None:
    we = member("A1", "As we approach the 100-day mark, Biden has made progress on the pandemic.")
    plain = member("A2", "Biden has made progress on the pandemic in his first 100 days.", 1)
    assert fallback([we, plain], []) == plain.sentence
    assert fallback([we], []) == ""


def test_a_writers_opinion_never_helps_a_summary_sentence() -> None:
    visit = FactGroup(
        id="G1",
        members=[
            agreed("A1", "Mishustin arrived in Hangzhou on Monday and signed agreements.", 0, 0.4),
            agreed(
                "A3", "His arrival in Hangzhou was a statement, not a drop-in.", 0, 0.4, "opinion"
            ),
        ],
    )
    summary, _ = pick([visit, GRAIN, SPACE], articles=3)
    assert [m.label for m in summary[0].shown] == ["A1"]
