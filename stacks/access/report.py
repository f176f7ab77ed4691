"""A vendor's effective access, per function it operates, grouped by service and level.

Each grant of each role (access.evaluate) is attributed to the function whose
resource it acts on (the one whose outputs name the resource, else the
function the policy operates) and carries that function's data class. A
grant on a tag-scoped resource (runbook actions) counts for every function
its tag condition names, at the highest of their data classes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from provision.schemas.model import DATA_CLASSES, Plan
from provision.stacks.access.evaluate import Grant, describe_condition, evaluate, statements_of
from provision.stacks.access.levels import LEVELS, level_of
from provision.stacks.access.planned import Role, VendorRoles
from provision.stacks.tags import TAG_FUNCTION


@dataclass(frozen=True, order=True)
class Access:
    """One action on one resource, as a vendor holds it."""

    function: str
    data: str  # the data class of what the resource holds
    service: str
    level: str
    action: str
    resource: str
    condition: str  # readable: "prefix partners/x/*"; "" when none
    role: str


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def owners_index(outputs: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(output value, function) pairs, longest first: ARNs own what they prefix, names what contains them."""
    pairs = []
    for fn, out in outputs.items():
        for value in _strings(out):
            if value.startswith("arn:"):
                pairs.append((value, fn))
            elif len(value) >= 8:
                pairs.append((value, fn))  # a name (bucket, log group, detector): found inside ARNs
    return sorted(pairs, key=lambda p: -len(p[0]))


def _owners(grant: Grant, default: str, index: list[tuple[str, str]]) -> list[str]:
    if grant.condition:
        tagged = json.loads(grant.condition).get("StringEquals", {}).get(f"aws:ResourceTag/{TAG_FUNCTION}")
        if tagged:
            return [tagged] if isinstance(tagged, str) else list(tagged)
    for value, fn in index:
        if value.startswith("arn:"):
            if grant.resource == value or grant.resource.startswith((f"{value}/", f"{value}:")):
                return [fn]
        elif value in grant.resource:
            return [fn]
    return [default]


def role_access(plan: Plan, role: Role, grants: set[Grant], index: list[tuple[str, str]], default: str) -> list[Access]:
    rows = []
    for grant in grants:
        owners = [o for o in _owners(grant, default, index) if o in plan.functions] or [default]
        owner = max(owners, key=lambda o: DATA_CLASSES.index(plan.functions[o].data))
        rows.append(
            Access(owner, plan.functions[owner].data, grant.action.split(":", 1)[0], level_of(grant.action),
                   grant.action, grant.resource, describe_condition(grant.condition), role.name)  # fmt: skip
        )
    return rows


def vendor_access(plan: Plan, roles: VendorRoles, outputs: Mapping[str, Mapping[str, Any]]) -> tuple[list[Access], list[str]]:
    """Every (function, action, resource) the vendor's roles grant, and what could not be evaluated."""
    index = owners_index(outputs)
    rows: list[Access] = []
    notes: list[str] = []
    for role in roles.roles:
        for policy, document in role.policies.items():
            # A Deny in any of the role's policies applies to every other.
            denies = {o: {"Statement": [s for s in statements_of(d) if s.get("Effect") == "Deny"]}
                      for o, d in role.policies.items() if o != policy}  # fmt: skip
            result = evaluate({policy: document, **denies}, role.boundary)
            default = role.policy_functions.get(policy) or (roles.functions[0] if roles.functions else "")
            rows += role_access(plan, role, result.grants, index, default)
            notes += [f"{role.name}: {n}" for n in result.notes]
    return sorted(set(rows)), notes


def strongest(rows: list[Access]) -> str | None:
    """The highest level among `rows`, in LEVELS order."""
    levels = {r.level for r in rows}
    return max(levels, key=LEVELS.index) if levels else None
