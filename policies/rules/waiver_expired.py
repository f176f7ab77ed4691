"""PRV-GOV-001: an expired waiver is a finding of its own."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import TODAY, Enforcement, Policy, Violation
from provision.policies.waivers import is_expired
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    today = params[TODAY]
    for waiver in plan.waivers:
        if is_expired(waiver, today):
            scope = f" for function '{waiver.function}'" if waiver.function else ""
            yield Violation(
                f"waiver of {waiver.policy}{scope} expired on {waiver.expires.isoformat()} "
                f"(approved by {waiver.approved_by}); it waives nothing",
                waiver.path + ("expires",),
                waiver.function,
            )


POLICY = Policy(
    id="PRV-GOV-001",
    title="Waivers are renewed or removed when they expire",
    enforcement=Enforcement.MANDATORY,
    description=(
        "A waiver accepts a known risk until a date (reason, approvedBy and expires are required "
        "by the schema). Once expires is in the past the waiver stops waiving, and the waiver "
        "itself is reported so the risk gets decided again rather than forgotten. This finding "
        "cannot be waived."
    ),
    remediation="Fix the underlying finding and delete the waiver, or have it re-approved with a new expires date.",
    check=check,
    tags=("governance", "waiver"),
)
