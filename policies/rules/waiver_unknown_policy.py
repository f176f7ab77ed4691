"""PRV-GOV-002: waivers name a policy that exists."""

from __future__ import annotations

import difflib
from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    # Imported here: the registry imports this module.
    from provision.policies.registry import ids

    known = ids()
    for index, waiver in enumerate(plan.waivers):
        if waiver.policy in known:
            continue
        message = f"waiver {index} names unknown policy {waiver.policy}"
        close = difflib.get_close_matches(waiver.policy, known, n=1)
        if close:
            message += f" (did you mean {close[0]}?)"
        yield Violation(message, waiver.path + ("policy",), waiver.function)


POLICY = Policy(
    id="PRV-GOV-002",
    title="Waivers name an existing policy",
    enforcement=Enforcement.MANDATORY,
    description=(
        "A waiver for a misspelt or retired policy id waives nothing, while its author believes a "
        "risk is covered. Every waiver's policy must be an id from this catalogue "
        "(`provision policies`)."
    ),
    remediation="Correct the policy id (see `provision policies`), or delete the waiver.",
    check=check,
    tags=("governance", "waiver"),
)
