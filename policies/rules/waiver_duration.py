"""PRV-GOV-003: waivers are short-lived."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import TODAY, Enforcement, Policy, Violation
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    today = params[TODAY]
    limit = params["maxWaiverDays"]
    for waiver in plan.waivers:
        days = (waiver.expires - today).days
        if days > limit:
            yield Violation(
                f"waiver of {waiver.policy} runs until {waiver.expires.isoformat()}, {days} days "
                f"from now (at most {limit})",
                waiver.path + ("expires",),
                waiver.function,
            )


POLICY = Policy(
    id="PRV-GOV-003",
    title="Waivers are short-lived",
    enforcement=Enforcement.ADVISORY,
    description=(
        "A waiver that runs for years is a silent policy change. Flags waivers whose expires "
        "date is more than maxWaiverDays after today, so the risk is reviewed at least that often."
    ),
    remediation=(
        "Shorten the waiver's expires date, or change the policy's enforcement or params in "
        "provision-policies.yaml if the exception is permanent."
    ),
    check=check,
    params={"maxWaiverDays": 365},
    tags=("governance", "waiver"),
)
