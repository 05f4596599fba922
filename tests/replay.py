"""Cassettes as a reviewer reads them, and the seeds' briefing replayed from its cassette.

`PrettyJSONSerializer` keeps request and response bodies as decoded JSON in the YAML.
`replay_seeds` gives the briefing of seeds/ that the recorded 1.5B run produced (the cassette
of test_e2e::test_brief_all_seeds), for the page tests and scripts/screenshots.py: no model runs,
and every recorded interaction must be played.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import vcr

from briefer.pipeline.run import brief
from briefer.schemas.briefing import Briefing
from briefer.settings import Settings, find_home

ROOT = Path(__file__).resolve().parent.parent
SEEDS_CASSETTE = ROOT / "cassettes" / "test_e2e" / "test_brief_all_seeds.yaml"


class PrettyJSONSerializer:
    """YAML with JSON bodies decoded into structures, so a reviewer can read the cassette."""

    @staticmethod
    def serialize(data: dict[str, Any]) -> str:
        import yaml

        for item in data["interactions"]:
            req, resp = item["request"], item["response"]
            body = req.get("body")
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            if body:
                try:
                    req["parsed_body"] = json.loads(body)
                    req.pop("body")
                except ValueError:
                    req["body"] = body
            text = resp["body"].get("string")
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            try:
                resp["parsed_body"] = json.loads(text)
                resp.pop("body")
            except (TypeError, ValueError):
                resp["body"]["string"] = text
        return str(
            yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True, width=120)
        )

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        import yaml

        data: dict[str, Any] = yaml.load(text, Loader=yaml.SafeLoader)
        for item in data["interactions"]:
            req, resp = item["request"], item["response"]
            if "parsed_body" in req:
                req["body"] = json.dumps(req.pop("parsed_body"))
            if "parsed_body" in resp:
                resp["body"] = {"string": json.dumps(resp.pop("parsed_body"))}
        return data


def replay_seeds(home: Path, settings: Settings) -> Briefing:
    """The seeds' briefing from the recorded run (`settings` as recorded: conftest's
    model_settings()), its state under `home`."""
    saved = os.environ.get("BRIEFER_HOME")
    os.environ["BRIEFER_HOME"] = str(home)
    try:
        rec = vcr.VCR(record_mode="none", match_on=["method", "path", "body"])
        rec.register_serializer("pretty", PrettyJSONSerializer)
        with rec.use_cassette(str(SEEDS_CASSETTE), serializer="pretty") as cass:
            # The settings' home too: they may have been made before BRIEFER_HOME was set.
            b = brief([ROOT / "seeds"], settings.model_copy(update={"home": find_home(home)}))
        assert cass.all_played, f"{SEEDS_CASSETTE.name}: not every interaction was played"
    finally:
        if saved is None:
            os.environ.pop("BRIEFER_HOME", None)
        else:
            os.environ["BRIEFER_HOME"] = saved
    return b
