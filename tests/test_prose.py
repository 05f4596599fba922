"""briefer.checks.prose: what a reader would throw back, on hand-written sentences, and the
sentences that must pass (each check's false positives)."""

from __future__ import annotations

import pytest

from briefer.checks import prose
from briefer.checks.verify import normalize

# --- meta: talk about the coverage instead of the event ------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The article discusses the ongoing negotiations between Russia and China.",
        "This piece provides a comprehensive overview of the summit.",
        "The author argues that Moscow has nowhere else to turn.",
        "Both outlets report that Mishustin arrived in Hangzhou.",
        "The report says trade topped $240 billion.",
        "It highlights the growing partnership between the two nations.",
        "Each article focuses on energy cooperation.",
        "The blog presents a neutral summary of the visit.",
    ],
)
def test_meta_sentences_are_rejected(text: str) -> None:
    assert prose.meta(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Biden discussed the plan with Xi on Tuesday.",
        "Mishustin and Li Qiang discussed trade, energy and space.",
        "Russian state media reported that a range of agreements was signed.",
        "Xi Jinping hosted Mikhail Mishustin in Beijing on November 4, 2025.",
        "Li said the partnership offers both sides a reliable market.",
        "Trade reached $240 billion in 2024, according to Chinese customs data.",
    ],
)
def test_plain_statements_of_the_event_are_not_meta(text: str) -> None:
    assert prose.meta(text) == "", text


@pytest.mark.parametrize(
    "text",
    [
        "The group said it would keep fighting until its demands were met.",
        "Leaders of the G20 met in Rio de Janeiro on Monday.",
        "Airbus confirmed an order for ten A380 jets.",
    ],
)
def test_news_wording_that_looks_like_a_label_is_not_meta(text: str) -> None:
    assert prose.meta(text) == "", text


def test_the_meta_reason_names_what_to_fix() -> None:
    why = prose.meta("The article discusses the talks.")
    assert "The article" in why or "the article" in why.lower()


# --- boilerplate framing lines ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The article presents a neutral summary of the key points made in the article.",
        "CNBC takes a neutral stance on the talks without any bias.",
        "The outlet gives a balanced account of the meeting.",
        "It offers a comprehensive overview of the summit.",
        "The coverage is objective and unbiased.",
    ],
)
def test_boilerplate_framing_is_rejected(text: str) -> None:
    assert prose.boilerplate(text), text


@pytest.mark.parametrize(
    "text",
    [
        "CNBC leads with Mishustin's arrival and stresses the agreements signed.",
        "The blog opens with a scene in Hangzhou and argues that Russia is the weaker partner.",
        "Leads with Xi hosting Mishustin in Beijing; alone in reporting the drone deal.",
        "Leads with trade figures and leaves out the Kremlin's comment on the visit.",
    ],
)
def test_framing_that_says_how_the_outlet_told_it_passes(text: str) -> None:
    assert prose.boilerplate(text) == "", text


# --- cut sentences -------------------------------------------------------------------------


def test_a_sentence_cut_at_its_bound_or_without_an_end_is_cut() -> None:
    limit = 320
    assert prose.cut("x" * 300 + " focusing on the challenges and options for", limit)
    assert prose.cut("Trade between the two countries grew …", limit)
    assert prose.cut("Trade between the two countries grew...", limit)
    assert prose.cut("Trade between the two countries grew and", limit)  # no sentence end
    assert prose.cut("x" * (limit - 3) + ".", limit)  # ends, but at its length bound
    assert prose.cut("x" * (limit - 4) + ".", limit) == ""


@pytest.mark.parametrize(
    "text",
    [
        "Trade between the two countries grew.",
        "Li said the two are “good neighbours.”",
        "Will the deal hold?",
        "Mishustin met Xi (in Beijing).",
        "y" * 200 + ".",
    ],
)
def test_whole_sentences_under_the_bound_are_not_cut(text: str) -> None:
    assert prose.cut(text, 320) == "", text


# --- near-duplicates -------------------------------------------------------------------------

AS_OF = "As of now, the threat level is assessed as medium across the region."


def test_a_repeat_in_other_words_or_inside_a_longer_sentence_is_a_near_duplicate() -> None:
    others = ["Mishustin met Li Qiang in Hangzhou.", AS_OF]
    assert prose.near_duplicate("As of now the threat level is assessed as medium.", others)
    assert prose.near_duplicate(
        "Officials said that, as of now, the threat level across the region is assessed as "
        "medium, and talks go on.",
        others,
    )
    assert prose.near_duplicate("Mishustin meets Li Qiang in Hangzhou.", others)  # stems match
    longer = (
        "On a windy Monday evening, after a long flight from Moscow, Mishustin met Li Qiang in "
        "Hangzhou, where crowds gathered outside and police closed several roads."
    )
    assert prose.near_duplicate(longer, others)  # holds all of a shorter one
    assert "repeats" in prose.near_duplicate(AS_OF, others)


def test_most_words_shared_is_a_near_duplicate_even_when_neither_holds_the_other() -> None:
    # 12 content words each, 9 of them shared: neither holds 80% of the other's words.
    shared = "Russia China leaders signed energy transport farming space finance"
    a = f"{shared} treaties Monday Hangzhou."
    b = f"{shared} contracts Tuesday Beijing."
    assert prose.near_duplicate(a, [b]) and prose.near_duplicate(b, [a])


def test_the_two_meetings_of_the_visit_are_not_near_duplicates() -> None:
    a = "Mishustin met Li Qiang in Hangzhou on November 3."
    assert prose.near_duplicate("Mishustin met Xi Jinping in Beijing on November 4.", [a]) == ""


def test_different_facts_about_the_same_people_are_not_near_duplicates() -> None:
    others = [
        "Mishustin met Li Qiang in Hangzhou on November 3.",
        "Xi Jinping hosted Mishustin in Beijing on November 4.",
    ]
    assert (
        prose.near_duplicate("The two sides signed agreements on energy and space.", others) == ""
    )
    assert prose.near_duplicate("Trade reached $240 billion in 2024.", others) == ""
    assert prose.near_duplicate("Anything at all.", []) == ""


# --- numbers -------------------------------------------------------------------------------

ARTICLE = normalize("Bilateral trade surpassed $240 billion in 2024, up 5% year-over-year.")
OTHER = normalize("Overall duties on Chinese goods dropped to 47%.")


def test_a_number_no_cited_outlet_states_is_unsupported_and_named_in_words() -> None:
    why = prose.unsupported_numbers("Trade topped $300 billion in 2024.", [ARTICLE])
    assert "300 billion" in why and "2024" not in why
    assert "47" in prose.unsupported_numbers("Duties fell to 47%.", [ARTICLE])
    assert prose.unsupported_numbers("Duties fell to 47%.", [ARTICLE, OTHER]) == ""


def test_numbers_written_another_way_are_supported() -> None:
    assert prose.unsupported_numbers("Trade passed 240 bn dollars in 2024.", [ARTICLE]) == ""
    assert prose.unsupported_numbers("Trade passed $240B, up 5 percent.", [ARTICLE]) == ""
    assert prose.unsupported_numbers("Leaders met for talks.", []) == ""


def test_a_prompt_label_is_caught_only_as_a_whole_label() -> None:
    labels = ["A1", "A2", "G1", "G2", "G3"]
    assert prose.names_label("The talks are summarised in G2 and G3.", labels)
    assert prose.names_label("A1 says the visit lasted two days.", labels)
    assert prose.names_label("Airbus confirmed an order for ten A380 jets.", labels) == ""
    assert prose.names_label("Leaders of the G20 met in Rio on Monday.", labels) == ""


ROGERS = normalize(
    "Hervis Rogers, a twice-convicted felon, was arrested and charged in Houston this week for "
    "voting while on probation. He waited six hours to vote in the 2020 primary."
)


def test_a_sentence_adding_a_judgement_its_outlets_never_make_is_ungrounded() -> None:
    why = prose.ungrounded(
        "The arrest underscores the need for transparency and accountability in voting.",
        [ROGERS],
    )
    assert why.startswith("it says what its outlets do not")
    assert all(w in why for w in ("underscores", "need", "transparency", "accountability"))


@pytest.mark.parametrize(
    "text",
    [
        "Hervis Rogers was arrested in Houston for voting while on probation.",
        "Rogers, a felon on probation, was charged after voting in the 2020 primary.",
        "Police arrested Hervis Rogers in Houston for voting while he was on probation.",
    ],
)
def test_a_restatement_or_a_light_paraphrase_is_grounded(text: str) -> None:
    assert prose.ungrounded(text, [ROGERS]) == ""


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("It felt like a gut punch to the town.", "It"),
        ("They join Broward and Leon counties in defying the governor.", "They"),
        ("This meeting occurs in the context of rising trade.", "This"),
        ("But the senators could not agree on a date.", "But"),
    ],
)
def test_a_sentence_pointing_back_at_one_not_shown_dangles(text: str, word: str) -> None:
    assert f"'{word}'" in prose.dangling(text)


def test_a_sentence_opening_with_a_quotation_dangles_and_a_plain_one_does_not() -> None:
    assert prose.dangling("“I have made a mistake,” Greene told reporters.")
    assert prose.dangling("Greene told reporters she had made a mistake.") == ""
    assert prose.dangling("Theresa May said Italy would vote.") == ""  # 'The...' words pass


@pytest.mark.parametrize(
    "text",
    [
        "Relations between our countries are at their highest level.",
        "We signed twenty documents today.",
        "Below, I tie together the core elements of the visit.",
    ],
)
def test_someone_speaking_outside_quotation_marks_is_first_person(text: str) -> None:
    assert "outside quotation marks" in prose.first_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "“Relations between our countries are at their highest level,” Mishustin said.",
        "The US and China resumed talks.",
        "Veterans of World War I were honoured.",
        "Mishustin said relations were at their highest level.",
    ],
)
def test_quoted_or_third_person_words_are_not_first_person(text: str) -> None:
    assert prose.first_person(text) == ""


@pytest.mark.parametrize(
    "text",
    [
        "Why it matters: Fauci has been one of the most prominent public faces of the response.",
        "State of play: Hillsborough reported 1,840 cases among students and staff.",
        "In summary, the meeting underscores a strategic shift in the partnership.",
    ],
)
def test_a_section_label_or_a_summing_up_dangles(text: str) -> None:
    assert prose.dangling(text)


def test_a_colon_later_in_the_sentence_is_no_section_label() -> None:
    assert prose.dangling("Officials said one thing was clear: the talks would go on.") == ""
    assert prose.dangling("U.S. Sen. Mitt Romney: a profile of the senator from Utah.") == ""


def test_a_sentence_stating_another_groups_fact_strays() -> None:
    shown = [
        "Hervis Rogers waited six hours to vote at his Houston polling place in March 2020.",
        "Rogers became the last person in line at Texas Southern University.",
    ]
    assert prose.strays("Hervis Rogers waited six hours to cast his vote in Houston.", shown) == ""
    assert "its own group" in prose.strays(
        "The Texas Legislature convened on Thursday for a special session on a voting bill.", shown
    )
