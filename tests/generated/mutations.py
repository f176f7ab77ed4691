"""Second versions of a generated plan, each a change a user makes to a deployed plan.

`mutations(document)` yields (label, document), each built on the previous
one: a function moved to another vendor, a network's zone count changed, a
function renamed (its references follow), a function added, and one removed.
Every version still validates (tests/generated/test_generated_validate.py).
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

from tests.generated.strategies import MIN_AVAILABILITY, ZONES

SETTING_REFERENCES = (("backup", "protects"), ("monitoring", "watches"))


def _externals(doc: dict[str, Any]) -> list[str]:
    return [n for n, p in doc["spec"]["providers"].items() if p["type"] != "cloud"]


def moved(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The first movable function handed to the next provider (aws <-> vendors, round robin)."""
    doc = copy.deepcopy(doc)
    providers = list(doc["spec"]["providers"])
    functions = doc["spec"]["functions"]
    for name, fn in functions.items():
        if fn["type"] == "data-exchange" or len(providers) < 2:
            continue
        target = providers[(providers.index(fn["provider"]) + 1) % len(providers)]
        tier = fn.get("tier", "standard")
        critical = sum(f.get("tier") == "critical" and f["provider"] == target for f in functions.values())
        if tier == "critical" and target != "aws" and critical >= 2:
            continue
        fn["provider"] = target
        if target != "aws" and tier != "standard" and "availability" not in fn.get("sla", {}):
            fn.setdefault("sla", {})["availability"] = MIN_AVAILABILITY[tier]
        return doc
    return None


def rezoned(doc: dict[str, Any]) -> dict[str, Any] | None:
    doc = copy.deepcopy(doc)
    zones = len(ZONES[doc["spec"]["region"]])
    for fn in doc["spec"]["functions"].values():
        if fn["type"] == "network":
            azs = fn["network"].get("azs", 2)
            fn["network"]["azs"] = azs - 1 if azs > 1 else min(2, zones)
            return doc
    return None


def renamed(doc: dict[str, Any], old: str | None = None) -> dict[str, Any] | None:
    doc = copy.deepcopy(doc)
    functions = doc["spec"]["functions"]
    old = old or next(iter(functions))
    new = ("r" + old)[:31].rstrip("-")
    if new in functions:
        return None
    doc["spec"]["functions"] = {(new if k == old else k): v for k, v in functions.items()}
    for fn in doc["spec"]["functions"].values():
        for section, key in SETTING_REFERENCES:
            if section in fn:
                fn[section][key] = [new if n == old else n for n in fn[section][key]]
    for waiver in doc["spec"].get("waivers", ()):
        if waiver.get("function") == old:
            waiver["function"] = new
    return doc


ADDED = "added-site"


def added(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["spec"]["functions"][ADDED] = {"type": "hosting", "provider": "aws", "data": "public", "hosting": {"kind": "static-site"}}
    return doc


def removed(doc: dict[str, Any], name: str = ADDED) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    del doc["spec"]["functions"][name]
    return doc


def mutations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    current = document
    for label, change in (("move", moved), ("azs", rezoned), ("rename", renamed), ("add", added), ("remove", removed)):
        changed = change(current)
        if changed is not None:
            current = changed
            yield label, current
