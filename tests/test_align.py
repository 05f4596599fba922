"""briefer.story.align: which outlets report the same thing, found in code.

The articles are written by hand so that which sentences report the same event is known from
reading them, not from the aligner."""

from __future__ import annotations

from briefer.schemas.replies import ClaimKind, Fact
from briefer.story.align import FactGroup, Source, align, is_statement


def fact(quote: str, kind: ClaimKind = "reported_fact") -> Fact:
    return Fact(quote=quote, kind=kind)


def source(label: str, text: str, facts: list[Fact], opinion: bool = False) -> Source:
    return Source(label=label, text=text, facts=facts, lead="", opinion_piece=opinion)


def group_of(groups: list[FactGroup], label: str, words: str) -> FactGroup:
    """The one group holding `label`'s sentence that contains `words`."""
    found = [g for g in groups for m in g.members if m.label == label and words in m.sentence]
    assert len(found) == 1, (label, words, [g.members for g in groups])
    return found[0]


def sentences(groups: list[FactGroup]) -> list[str]:
    return [m.sentence for g in groups for m in g.members]


VISIT_1 = (
    "Russian Prime Minister Mikhail Mishustin arrived in Hangzhou on Monday for two days of "
    "talks with Chinese Premier Li Qiang."
)
VISIT_2 = (
    "Mikhail Mishustin, Russia's prime minister, landed in Hangzhou on Monday to hold talks "
    "with Li Qiang, his Chinese counterpart."
)
WEATHER = "The weather in the eastern city stayed mild and sunny all week, with light winds."
FOOTBALL = "A local football club won its third straight match before a home crowd on Sunday."


def test_two_outlets_reporting_one_event_share_a_group_and_an_unrelated_sentence_does_not() -> None:
    groups = align(
        [
            source("A1", f"{VISIT_1} {WEATHER}", [fact("arrived in Hangzhou on Monday")]),
            source(
                "A2",
                f"{VISIT_2} {FOOTBALL}",
                [fact("landed in Hangzhou on Monday"), fact("football club won its third")],
            ),
        ]
    )
    visit = group_of(groups, "A1", "arrived in Hangzhou")
    assert visit.labels == ["A1", "A2"]
    assert sorted(m.sentence for m in visit.members) == sorted([VISIT_1, VISIT_2])
    football = group_of(groups, "A2", "football club")
    assert football.labels == ["A2"] and len(football.members) == 1
    assert WEATHER not in sentences(groups)  # no fact, no match: in no group
    assert groups[0] is not football and groups[0].labels == ["A1", "A2"]  # widest first
    assert [g.id for g in groups] == [f"G{i}" for i in range(1, len(groups) + 1)]


# A word ladder: each sentence shares words with its neighbours and none with the far ones.
LADDER = [
    "Officials signed an energy accord covering Arctic oil shipments during the Beijing visit.",
    "The Arctic oil shipments will travel on new icebreaker tankers built in Murmansk yards.",
    "Murmansk yards also build icebreaker tankers for grain exports through northern ports.",
    "Grain exports through northern ports doubled as farmers in Siberia expanded wheat fields.",
    "Wheat fields in Siberia suffered a drought that cut harvests and raised bread prices.",
]


def test_a_chain_of_loosely_related_sentences_is_not_swept_into_one_group() -> None:
    filler = "Nothing else of note happened in the region during the whole of that busy week."
    sources = [
        source(f"A{i}", f"{text} {filler}", [fact(" ".join(text.split()[:7]))])
        for i, text in enumerate(LADDER, start=1)
    ]
    groups = align(sources)
    first, last = group_of(groups, "A1", "energy accord"), group_of(groups, "A5", "drought")
    assert first is not last  # the two ends share no word: never one fact
    assert all(len(g.labels) < len(LADDER) for g in groups)
    for g in groups:  # each group is one outlet's sentence at most per outlet
        assert len({m.label for m in g.members}) == len(g.members)


OPINION = (
    "Picture this: Moscow is courting Beijing because it has nowhere else to turn this autumn. "
    "Mishustin arrived in Hangzhou on Monday for talks with Li Qiang, and I think it shows "
    "weakness. Kremlin spokesman Dmitry Peskov said the visit was of very great importance to "
    "Moscow. In my view the whole trip is theatre staged for a domestic audience back home."
)


def test_an_opinion_pieces_unattributed_claims_are_opinion_and_alone_are_not_reportable() -> None:
    blog = source(
        "A1",
        OPINION,
        [
            fact("Moscow is courting Beijing because it has nowhere else to turn"),
            fact("Mishustin arrived in Hangzhou on Monday for talks with Li Qiang"),
            fact(
                "the visit was of very great importance to Moscow",
                kind="attributed_statement",
            ),
            fact("the whole trip is theatre staged for a domestic audience", kind="opinion"),
        ],
        opinion=True,
    )
    wire = source("A2", VISIT_1, [fact("arrived in Hangzhou on Monday for two days")])
    groups = align([blog, wire])
    kinds = {m.sentence.split()[0]: m.kind for g in groups for m in g.members if m.label == "A1"}
    assert kinds == {
        "Picture": "opinion",  # the model said reported_fact: the writer's own claim
        "Mishustin": "opinion",
        "Kremlin": "attributed_statement",  # its sentence says who said it: stays
        "In": "opinion",
    }
    courting = group_of(groups, "A1", "courting Beijing")
    assert courting.labels == ["A1"] and not courting.reportable
    theatre = group_of(groups, "A1", "theatre staged")
    assert not theatre.reportable
    visit = group_of(groups, "A2", "arrived in Hangzhou")
    assert visit.labels == ["A1", "A2"] and visit.reportable  # the wire reports it as fact
    peskov = group_of(groups, "A1", "Peskov")
    assert peskov.reportable


def test_a_claim_tagged_attributed_whose_sentence_names_no_speaker_is_the_writers() -> None:
    """In an opinion piece, the model's tag alone does not make a claim someone else's: its
    sentence must say who said it (a speech verb or a quotation mark)."""
    blog = source(
        "A1",
        OPINION,
        [fact("the whole trip is theatre staged for a domestic audience", "attributed_statement")],
        opinion=True,
    )
    (g,) = align([blog])
    assert [m.kind for m in g.members] == ["opinion"] and not g.reportable


def test_the_same_claims_in_a_news_report_keep_their_kinds() -> None:
    report = source(
        "A1",
        OPINION,
        [
            fact("Moscow is courting Beijing because it has nowhere else to turn"),
            fact("the whole trip is theatre staged for a domestic audience", kind="opinion"),
        ],
    )
    kinds = sorted(m.kind for g in align([report]) for m in g.members)
    assert kinds == ["opinion", "reported_fact"]


MEETING = (
    "Xi Jinping received Mishustin in Beijing on Tuesday for talks on energy and technology. "
    "The two sides did not publish a joint statement after the meeting at the state guesthouse."
)


def test_words_not_copied_exactly_are_located_by_their_closest_sentence() -> None:
    """A small model's words are not always the article's: they still point to the sentence
    they match best, and words no sentence matches point nowhere."""
    located = fact("Mishustin met Xi Jinping in Beijing on Tuesday")
    lost = fact("Gazprom raised gas prices for European buyers")
    empty = fact("")
    (g,) = align([source("A1", MEETING, [located, lost, empty])])
    (m,) = g.members
    assert m.sentence.startswith("Xi Jinping received Mishustin in Beijing")
    assert m.seeded and m.position == 0


def test_a_quote_is_located_in_its_own_sentence_not_the_first_that_shares_a_word() -> None:
    (g,) = align([source("A1", MEETING, [fact("did not publish a joint statement")])])
    assert [m.position for m in g.members] == [1]


NOT_STATEMENTS = [
    "Key Developments and Timeline",
    "| 2024 | bilateral trade | $240 billion | up 26 percent from the year before |",
    "Will Russia and China finally sign the Power of Siberia 2 gas pipeline deal this year?",
    "Nov 3, 2025 - 12:34",
]


def test_headings_table_rows_datelines_and_questions_never_become_members() -> None:
    text_a = "\n".join([*NOT_STATEMENTS, MEETING])
    text_b = (
        "Russia and China may finally sign the Power of Siberia 2 gas pipeline deal this year. "
        "Bilateral trade reached $240 billion in 2024, up 26 percent from the year before, "
        "according to customs data released in January."
    )
    a = source(
        "A1",
        text_a,
        [
            fact("Key Developments and Timeline"),
            fact("bilateral trade | $240 billion"),
            fact("sign the Power of Siberia 2 gas pipeline deal this year"),
            fact("Nov 3, 2025"),
        ],
    )
    b = source(
        "A2",
        text_b,
        [fact("sign the Power of Siberia 2 gas pipeline deal"), fact("reached $240 billion")],
    )
    shown = sentences(align([a, b]))
    assert shown  # B's own sentences are members
    assert not set(shown) & set(NOT_STATEMENTS)
    assert not any(s.endswith("?") or "|" in s for s in shown)


def test_is_statement_tells_sentences_from_headings_rows_and_questions() -> None:
    assert is_statement(VISIT_1)
    assert is_statement("Li said the two nations trust each other.")  # short but ends
    assert is_statement("“We will act together,” Li said.")
    for text in NOT_STATEMENTS:
        assert not is_statement(text), text
    assert not is_statement("Mishustin arrived.")  # too short to state a fact


PIPE_1 = (
    "The company behind a contentious oil pipeline between Canada and the United States has "
    "abandoned the project, months after the president revoked its permit."
)
PIPE_2 = (
    "A $9 billion oil pipeline that became a symbol of climate politics in both countries was "
    "officially canceled on Wednesday."
)
JOBS = "Workers in South Dakota had counted on the jobs for years."
HOTEL = "Hotel owners in Midland said the news hurt their business."
COURTS = "Environmental groups fought the project in court for more than a decade."
TRIBES = "Tribal leaders welcomed the decision at a meeting on the reservation."


def test_two_leads_telling_the_main_event_in_different_words_share_a_group() -> None:
    groups = align(
        [
            Source(
                label="A1",
                text=f"{PIPE_1} {JOBS} {HOTEL}",
                facts=[],
                lead=PIPE_1,
                opinion_piece=False,
            ),
            Source(
                label="A2",
                text=f"{PIPE_2} {COURTS} {TRIBES}",
                facts=[],
                lead=PIPE_2,
                opinion_piece=False,
            ),
        ]
    )
    assert group_of(groups, "A1", "abandoned the project").labels == ["A1", "A2"]


def test_the_same_two_sentences_further_down_stay_apart() -> None:
    groups = align(
        [
            source("A1", f"{JOBS} {HOTEL} {PIPE_1}", [fact(JOBS), fact(PIPE_1)]),
            source("A2", f"{COURTS} {TRIBES} {PIPE_2}", [fact(COURTS), fact(PIPE_2)]),
        ]
    )
    assert group_of(groups, "A1", "abandoned the project").labels == ["A1"]
    assert group_of(groups, "A2", "officially canceled").labels == ["A2"]


TOP = (
    "Mishustin arrived in Hangzhou on Monday for two days of talks with Li Qiang. "
    "The two sides signed agreements on trade, energy and transport during the visit. "
    "Li said the two countries are good neighbours and partners who trust each other. "
    "Officials from the finance and agriculture ministries travelled with the delegation."
)


def test_the_lead_and_the_statements_after_it_are_facts_whatever_the_model_picked() -> None:
    """A small model may point at none of an article's opening facts: the lead and the two
    statements after it are seeded by code all the same, the fourth is not."""
    src = Source(label="A1", text=TOP, facts=[], lead=TOP.split(". ")[0], opinion_piece=False)
    members = [m for g in align([src]) for m in g.members]
    assert sorted(m.position for m in members) == [0, 1, 2]
    assert [m.lead for m in sorted(members, key=lambda m: m.position)] == [True, False, False]
