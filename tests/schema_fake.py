"""A model stand-in that answers any structured-output request with the smallest valid
instance of the JSON schema it was sent, so daily-run tests do not depend on which steps or
schemas the pipeline has (analyse, synthesise, contrast, ...). Every string is "A1": a valid
citation label, too short to pass as a quote, so verification removes quotes rather than
trusting them.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2

from .fakes import Canned, canned, completion


def minimal(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return minimal(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"] or schema["anyOf"]
        return minimal(options[0], defs)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {name: minimal(sub, defs) for name, sub in props.items()}
    if kind == "array":
        n = max(int(schema.get("minItems", 0)), 1)
        if "maxItems" in schema:
            n = min(n, int(schema["maxItems"]))
        return [minimal(schema.get("items", {}), defs) for _ in range(n)]
    if kind == "string":
        return "A1".ljust(int(schema.get("minLength", 0)), "1")
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return None


def answer(body: dict[str, Any]) -> dict[str, Any]:
    """The reply object for one chat request that carries a json_schema response_format."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") != "json_schema":
        raise AssertionError(f"expected a json_schema request, got {fmt!r}")
    schema = fmt["json_schema"]["schema"]
    return minimal(schema, schema.get("$defs", {}))


def reply(body: dict[str, Any]) -> httpx2.Response:
    """A FakeEndpoint reply function."""
    return completion(json.dumps(answer(body)))


def served(body: dict[str, Any], headers: dict[str, str]) -> Canned:
    """A FakeServer reply: the smallest valid instance of the request's schema."""
    del headers
    return canned(completion(json.dumps(answer(body))))
