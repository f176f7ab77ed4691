"""The plan JSON Schema with the registered extension types merged in.

The published file stays the source of the built-in types; each extension
type adds itself to the `type` enum, adds its settings section, forbids that
section to every other type and gets an if/then branch requiring it.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

from provision.schemas.function_types import FunctionType


def _branch(type_name: str, section: str, others: Iterable[str]) -> dict[str, Any]:
    # The same shape as the published branches, so messages read the same.
    return {
        "if": {"properties": {"type": {"const": type_name}}, "required": ["type"]},
        "then": {"required": [section], "properties": {other: False for other in others}},
    }


def with_types(schema: dict[str, Any], extensions: Iterable[FunctionType]) -> dict[str, Any]:
    """A copy of `schema` that also accepts each of `extensions`."""
    merged = copy.deepcopy(schema)
    function = merged["$defs"]["function"]
    type_property = function["properties"]["type"]
    branches = function["allOf"]
    for extension in extensions:
        type_property["enum"].append(extension.name)
        if "enumDescriptions" in type_property:
            type_property["enumDescriptions"].append(extension.description)
        sections = [b["then"]["required"][0] for b in branches]
        for branch in branches:
            branch["then"]["properties"][extension.section] = False
        function["properties"][extension.section] = copy.deepcopy(dict(extension.settings_schema or {}))
        branches.append(_branch(extension.name, extension.section, sections))
    return merged
