"""PRV-VEN-003: no function runs at a vendor whose contract has ended."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import TODAY, Enforcement, Policy, Violation
from provision.policies.plan_facts import contracts
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    today = params[TODAY]
    for vendor, ends in contracts(plan):
        if ends < today:
            yield Violation(
                f"provider '{vendor.name}' contract ended on {ends.isoformat()} "
                f"({(today - ends).days} days ago)",
                vendor.path + ("contractEnds",),
            )


POLICY = Policy(
    id="PRV-VEN-003",
    title="Vendor contracts are in force",
    enforcement=Enforcement.MANDATORY,
    description=(
        "An external provider whose contractEnds date has passed still gets a cross-account role "
        "and the organisation's data, without a contract that binds it. Renew the contract or "
        "move the functions."
    ),
    remediation="Record the renewed contractEnds date, or move the provider's functions elsewhere and remove it.",
    check=check,
    tags=("vendor", "contract"),
)
