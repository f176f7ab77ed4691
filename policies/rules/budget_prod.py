"""PRV-BUD-001: production plans declare a monthly budget."""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.schemas.model import Plan

Check = Callable[[Plan, Mapping[str, Any]], Iterator[Violation]]

DESCRIPTION = (
    "Outsourced services bill monthly and grow quietly. spec.budget sets the expected monthly "
    "spend; it becomes an AWS Budget with alerts at alertThresholds, and PRV-BUD-003 compares it "
    "with the cost estimate. "
)
REMEDIATION = "Add spec.budget: {monthlyUSD: <amount>, alertThresholds: [80, 100]}."


def missing_budget(prod: bool) -> Check:
    """A check for plans without spec.budget, for prod plans or for the others."""

    def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
        if plan.budget is None and (plan.environment == "prod") == prod:
            yield Violation(f"{plan.environment} plan '{plan.name}' declares no spec.budget", ("spec",))

    return check


POLICY = Policy(
    id="PRV-BUD-001",
    title="Production plans declare a budget",
    enforcement=Enforcement.MANDATORY,
    description=DESCRIPTION + "Mandatory for environment prod; PRV-BUD-002 advises it elsewhere.",
    remediation=REMEDIATION,
    check=missing_budget(prod=True),
    tags=("budget",),
)
