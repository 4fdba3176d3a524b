"""The JSON Schema of protocol format v1 (``mesosim schema``), for editors.

Built from the loaded registry, so that technique, step, condition and activity names complete
in an editor and a vendor's technique appears once its plugin is installed. The checks do not
use this schema (they report richer findings with positions); a test validates every gallery
protocol against it so the two stay in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mesosim.declarations import COURSE_KINDS, SETTINGS, ZONES
from mesosim.protocol import ALLERGY_TEST, FORMAT_VERSION
from mesosim.units import EXAMPLES, UNITS

if TYPE_CHECKING:
    from mesosim.catalog import Catalog


def _quantity(dimension: str) -> dict[str, Any]:
    if dimension == "count":
        return {"type": "number", "minimum": 0}
    units = "|".join(sorted((u.replace("/", "\\/") for u, (d, _) in UNITS.items()
                             if d == dimension), key=len, reverse=True))
    return {
        "type": "string",
        "pattern": rf"^\s*[+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*({units})\s*$",
        "description": f"a {dimension} with its unit, e.g. '{EXAMPLES[dimension]}'",
        "examples": [EXAMPLES[dimension]],
    }


def _course(with_kind: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "start": _date(),
        "sessions": {"type": "integer", "minimum": 1, "maximum": 1000},
        "interval": _quantity("time"),
        "dates": {"type": "array", "items": _date(), "minItems": 1},
    }
    if with_kind:
        props = {"kind": {"type": "string", "enum": list(COURSE_KINDS), "default": "intensive"},
                 **props}
    return {"type": "object", "additionalProperties": False, "properties": props,
            "anyOf": [{"required": ["dates"]}, {"required": ["start", "sessions"]}]}


def _date() -> dict[str, Any]:
    return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def protocol_schema(reg: Catalog) -> dict[str, Any]:
    step_items: list[dict[str, Any]] = [{"type": "string", "enum": sorted(reg.steps)}]
    for s in sorted(reg.steps.values(), key=lambda s: s.name):
        props = {p: _quantity(reg.parameters.get(p, "count")) for p in s.params}
        step_items.append({
            "type": "object",
            "description": s.description,
            "properties": {s.name: {"type": ["object", "null"], "properties": props,
                                    "additionalProperties": False}},
            "required": [s.name],
            "additionalProperties": False,
        })
    activity = {"type": "string", "enum": sorted(reg.activities)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://mesosim.invalid/schema/protocol-v1.json",
        "title": "mesosim protocol (format v1)",
        "description": "A mesotherapy treatment protocol for mesosim (training tool, not "
                       "medical advice).",
        "type": "object",
        "required": ["mesosim", "technique", "zone", "patient", "course", "session"],
        "additionalProperties": False,
        "properties": {
            "mesosim": {"const": FORMAT_VERSION, "description": "format version"},
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "notes": {"type": "string"},
            "technique": {"type": "string", "enum": sorted(reg.techniques)},
            "zone": {"type": "string", "enum": sorted(reg.zones) or list(ZONES)},
            "setting": {"type": "string", "enum": list(SETTINGS), "default": "clinic"},
            "patient": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "age": {"type": "integer", "minimum": 0, "maximum": 130},
                    "conditions": {"type": ["array", "null"],
                                   "items": {"type": "string", "enum": sorted(reg.conditions)}},
                    "allergy_test": {"type": "string", "enum": list(ALLERGY_TEST)},
                    "notes": {"type": "string"},
                    "plans": {"type": ["array", "null"], "items": {
                        "type": "object", "additionalProperties": False,
                        "required": ["activity", "date"],
                        "properties": {"activity": activity, "date": _date(), "until": _date(),
                                       "notes": {"type": "string"}},
                    }},
                },
            },
            "course": _course(with_kind=True),
            "maintenance": {**_course(with_kind=False),
                            "description": "maintenance sessions after the course"},
            "session": {
                "type": "object",
                "additionalProperties": False,
                "required": ["steps"],
                "properties": {"steps": {"type": "array", "items": {"anyOf": step_items}},
                               "notes": {"type": "string"}},
            },
            "aftercare": {
                "type": ["object", "null"],
                "propertyNames": activity,
                "additionalProperties": _quantity("time"),
            },
        },
    }
