"""Slots built straight from fact groups, for tests of the write step's prompts and checks."""

from __future__ import annotations

from briefer.story.align import FactGroup
from briefer.story.synthesis import Slot, evidence


def whole(g: FactGroup, slot_id: str = "") -> Slot:
    """A slot that tells the group's fact from its own best sentences."""
    return Slot(id=slot_id or g.id, group=g, shown=evidence(g))
