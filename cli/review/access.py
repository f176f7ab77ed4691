"""Vendor access in a review: what each vendor gains and loses from BASE to HEAD.

Both sides are computed offline by stacks.access (the stacks' own policy
builders, with placeholders for ids known only after apply), so a function
moving vendors, a partner added, runbook actions widened or a data class
raised all show as actions gained or lost. A vendor gaining write,
destructive or permissions access on pii or regulated data is a weakening.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from provision.cli.review.model import Change, Flag
from provision.schemas.model import SENSITIVE_DATA, Plan

SHOWN_ACTIONS = 6


@dataclass(frozen=True)
class AccessDelta:
    """Actions one vendor gains or loses on one function's resources, at one level."""

    vendor: str
    direction: str  # gains | loses
    function: str
    data: str
    level: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    @property
    def weakening(self) -> bool:
        from provision.stacks.access.levels import CHANGING_LEVELS

        return self.direction == "gains" and self.level in CHANGING_LEVELS and self.data in SENSITIVE_DATA

    def message(self) -> str:
        shown = ", ".join(self.actions[:SHOWN_ACTIONS]) + (", …" if len(self.actions) > SHOWN_ACTIONS else "")
        count = len(self.resources)
        return (f"{self.vendor} {self.direction} {self.level} on {self.function} ({self.data}): {shown} "
                f"on {count} resource{'s' if count != 1 else ''}")  # fmt: skip


def _keys(doc: dict[str, Any]) -> dict[str, set[tuple[str, ...]]]:
    """vendor -> {(function, data, level, action, resource + condition)}."""
    out: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for v in doc["vendors"]:
        for a in v["access"]:
            resource = a["resource"] + (f" ({a['condition']})" if a["condition"] else "")
            out[v["name"]].add((a["function"], a["data"], a["level"], a["action"], resource))
    return out


def vendor_docs(plan: Plan) -> dict[str, Any]:
    from provision.stacks.access.document import access_document

    return access_document(plan)


def access_deltas(base: dict[str, Any] | None, head: dict[str, Any]) -> list[AccessDelta]:
    """Per vendor, function, data class and level: the actions gained and lost."""
    if base is None:
        return []
    before, after = _keys(base), _keys(head)
    deltas = []
    for vendor in sorted(set(before) | set(after)):
        for direction, rows in (("gains", after[vendor] - before[vendor]), ("loses", before[vendor] - after[vendor])):
            groups: dict[tuple[str, str, str], tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
            for function, data, level, action, resource in rows:
                groups[(function, data, level)][0].add(action)
                groups[(function, data, level)][1].add(resource)
            for (function, data, level), (actions, resources) in sorted(groups.items()):
                deltas.append(AccessDelta(vendor, direction, function, data, level, tuple(sorted(actions)),
                                          tuple(sorted(resources))))  # fmt: skip
    return deltas


def access_changes(deltas: list[AccessDelta]) -> list[Change]:
    """The deltas as review changes (area "access"), weakenings flagged."""
    return [
        Change("access", d.function, f"access.{d.vendor}.{d.level}", None if d.direction == "gains" else list(d.actions),
               list(d.actions) if d.direction == "gains" else None, d.message(),
               Flag.WEAKENING if d.weakening else None)  # fmt: skip
        for d in deltas
    ]
