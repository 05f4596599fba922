"""briefer.story.framing: a framing line that says how the outlet told the story is kept;
one that says nothing is replaced by a line composed from the computed facts."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from typing import Any, cast

import pytest
from vcr.cassette import Cassette

from briefer.errors import EndpointError, ModelOutputError
from briefer.model.llm import LLM, build_client
from briefer.model.modeltable import lookup
from briefer.schemas.replies import FramingLine, Framings
from briefer.story.framing import composed, framings
from briefer.story.outlets import Profile

from .conftest import TEST_MODEL, model_settings

WIRE = Profile(
    label="A1",
    outlet="Wire",
    title="Russia looks to cosy up with China",
    lead="Mishustin arrived in Hangzhou on Monday for two-day talks with Li Qiang.",
    only_here=["Li said the two are good neighbours and reliable partners."],
    omissions=[],
    opinion_piece=False,
)
BLOG = Profile(
    label="A2",
    outlet="Blog",
    title="Russia's chessboard move",
    lead="",
    only_here=[],
    omissions=["Mishustin met Xi in Beijing. (reported by Wire, Post)"],
    opinion_piece=True,
)
POST = Profile(
    label="A3",
    outlet="Post",
    title="China and Russia strengthen partnership",
    lead="Russian Prime Minister Mikhail Mishustin began a two-day visit to China.",
    only_here=["The talks came amid mounting U.S. trade restrictions and Western sanctions."],
    omissions=["Li said the two are good neighbours and reliable partners. (reported by Wire)"],
    opinion_piece=False,
)


GOOD = "Wire leads with Mishustin's arrival in Hangzhou and alone quotes Li on trust."


class Model:
    """Stands in for the LLM: answers the framing call with fixed lines, or fails."""

    def __init__(
        self, *lines: tuple[str, str], fail: Exception | None = None, model: str = "gpt-4.1-mini"
    ) -> None:
        self.lines, self.fail = lines, fail
        self.info = lookup(model)
        self.users: list[str] = []

    def call(self, step: str, system: str, user: str, schema: Any, max_tokens: int) -> Framings:
        assert step == "framing" and schema is Framings
        self.users.append(user)
        if self.fail:
            raise self.fail
        return Framings(framings=[FramingLine(source=s, text=t) for s, t in self.lines])


def run(model: Model) -> tuple[dict[str, str], list[str]]:
    return framings(cast(LLM, model), [WIRE, BLOG])


def test_a_line_that_says_how_the_outlet_told_it_is_kept() -> None:
    lines, notes = run(
        Model(("A1", GOOD), ("[a2]", "Blog opens with a scene and argues weakness."))
    )
    assert lines == {
        "A1": (GOOD, True),
        "A2": ("Blog opens with a scene and argues weakness.", True),
    }
    assert notes == []


def test_a_boilerplate_line_is_replaced_by_the_composed_one_and_noted() -> None:
    model = Model(
        ("A1", "The article presents a neutral summary of the key points made in the article."),
        ("A2", "Blog takes a neutral stance on the talks without any bias."),
    )
    lines, notes = run(model)
    assert lines == {"A1": (composed(WIRE), False), "A2": (composed(BLOG), False)}
    assert len(notes) == 2 and notes[0].startswith("Wire: framing 'The article presents")


def test_an_outlets_label_becomes_its_name_and_other_labels_are_caught() -> None:
    """Small models write "A1 focuses on ...": the label is the outlet's name in the prompt,
    so code puts the name back. A group's label ("G2") names nothing a reader knows."""
    model = Model(("A1", "A1, unlike A2, leads with the arrival in Hangzhou."), ("A2", GOOD))
    lines, _ = run(model)
    assert lines["A1"] == ("Wire, unlike Blog, leads with the arrival in Hangzhou.", True)
    grouped, _ = run(Model(("A1", "Wire stresses the fact of G2 over the talks."), ("A2", GOOD)))
    assert grouped["A1"] == (composed(WIRE), False)


def test_a_cut_line_and_a_missing_line_are_replaced() -> None:
    model = Model(("A1", GOOD), ("A3", GOOD))
    lines, _ = run(model)
    assert lines["A2"] == (composed(BLOG), False)  # no line for it (A3 is no outlet here)
    cut, _ = run(Model(("A1", "Wire leads with the arrival in Hangzhou and"), ("A2", GOOD)))
    assert cut["A1"] == (composed(WIRE), False)


def test_the_first_line_for_an_outlet_counts() -> None:
    lines, _ = run(
        Model(("A1", GOOD), ("A1", "Wire leads with something else entirely."), ("A2", GOOD))
    )
    assert lines["A1"] == (GOOD, True)


def test_a_failed_reply_leaves_every_line_composed() -> None:
    model = Model(fail=ModelOutputError("bad JSON three times", attempts=3, last_raw="{"))
    lines, notes = run(model)
    assert lines == {"A1": (composed(WIRE), False), "A2": (composed(BLOG), False)}
    assert len(notes) == 1 and "bad JSON three times" in notes[0]


def test_an_endpoint_failure_is_not_swallowed() -> None:
    model = Model(fail=EndpointError("connection refused"))
    try:
        run(model)
    except EndpointError:
        return
    raise AssertionError("an endpoint that is down must stop the run")


def test_the_composed_line_states_the_lead_and_counts_what_only_this_outlet_reports() -> None:
    line = composed(WIRE)
    assert line.startswith("Leads with “Mishustin arrived in Hangzhou on Monday")
    assert "reports one fact no other outlet does" in line  # listed under "Only here"
    assert line.endswith(".") and "neutral" not in line.lower()
    # No lead: its headline; and what it leaves out, counted.
    assert (
        composed(BLOG)
        == "Headlined “Russia's chessboard move”; leaves out one fact most others report."
    )


def test_a_line_may_name_its_outlet_instead_of_the_label() -> None:
    """Small models write the outlet's name in `source`: the line still belongs to it."""
    lines, _ = run(Model(("wire", GOOD), ("A2", "Blog opens with a scene and argues weakness.")))
    assert lines["A1"] == (GOOD, True)


def test_a_line_about_the_article_is_replaced() -> None:
    lines, _ = run(
        Model(("A1", "The article does not provide any details on the talks."), ("A2", GOOD))
    )
    assert lines["A1"] == (composed(WIRE), False)


def test_a_line_that_copies_the_header_or_the_lead_is_replaced() -> None:
    """The 0.5B model answers with the outlet's own header line; the 1.5B often with its lead."""
    header = f"{BLOG.outlet} (opinion piece)"
    lines, notes = run(Model(("A1", WIRE.lead), ("A2", header)))
    assert lines == {"A1": (composed(WIRE), False), "A2": (composed(BLOG), False)}
    assert sum("copies" in n for n in notes) == 2
    lines, _ = run(Model(("A1", GOOD), ("A2", f"{BLOG.outlet} ({BLOG.title}).")))
    assert lines["A2"] == (composed(BLOG), False)
    assert lines["A1"] == (GOOD, True)


def test_a_line_that_copies_another_outlets_lead_is_replaced() -> None:
    """The 1.5B model gave one outlet another outlet's lead as its framing line."""
    lines, notes = run(Model(("A1", GOOD), ("A2", WIRE.lead)))
    assert lines == {"A1": (GOOD, True), "A2": (composed(BLOG), False)}
    assert any("another outlet's lead" in n for n in notes)


def test_a_small_local_model_is_not_asked_and_every_line_is_composed() -> None:
    """The 1.5B's lines rarely passed the checks (10 of 60 over 20 eval events), so it is not
    asked: no call, and each outlet gets the line composed from its facts, with no note."""
    for name in ("qwen2.5-coder-1.5b-instruct", "qwen2.5-coder-0.5b-instruct"):
        model = Model(("A1", GOOD), ("A2", GOOD), model=name)
        lines, notes = run(model)
        assert model.users == []
        assert lines == {"A1": (composed(WIRE), False), "A2": (composed(BLOG), False)}
        assert notes == []
    # A model briefer does not know (a bigger one on Ollama, say) is asked.
    unknown = Model(("A1", GOOD), ("A2", GOOD), model="llama3.1:8b")
    assert run(unknown)[0]["A1"] == (GOOD, True) and len(unknown.users) == 1


@pytest.mark.vcr
def test_the_recorded_small_model_when_asked_copies_its_profiles_so_code_composes(
    cassette: Cassette,
) -> None:
    """The framing call against the real server: the 1.5B asked as a larger model is. Why the
    small models are not asked (`ModelInfo.writes_framing`): it copies each profile back
    ("A1: Wire (reporting) - headline: ..."), so every line is replaced by the composed one."""
    settings = model_settings()
    info = replace(lookup(TEST_MODEL), writes_framing=True)
    with closing(LLM(settings, info, build_client(settings), None)) as llm:
        lines, notes = framings(llm, [WIRE, BLOG, POST])
    assert len(cassette.requests) == 1
    sent = cassette.requests[0].body.decode()
    assert all(p.lead[:30] in sent for p in (WIRE, POST)) and "Russia's chessboard move" in sent
    assert lines == {p.label: (composed(p), False) for p in (WIRE, BLOG, POST)}
    # Two of its lines name their outlet and are noted; the third names "Blog (op", no outlet.
    assert len(notes) == 2
    assert all("copies the outlet's name, headline or lead" in n for n in notes), notes
