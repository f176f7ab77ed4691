"""PRV-BUD-003: the cost estimate fits the declared budgets."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from provision.policies.base import Enforcement, Policy, Violation
from provision.policies.cost import estimate
from provision.policies.plan_facts import usd
from provision.schemas.model import Plan


def check(plan: Plan, params: Mapping[str, Any]) -> Iterator[Violation]:
    budgeted = [f for f in plan.functions.values() if f.budget is not None]
    if plan.budget is None and not budgeted:
        return
    cost = estimate(plan)
    table = cost.price_table_version
    if plan.budget is not None:
        if cost.total_usd > plan.budget.monthly_usd:
            yield Violation(
                f"estimated monthly cost {usd(cost.total_usd)} exceeds the plan budget of "
                f"{usd(plan.budget.monthly_usd)} (price table {table})",
                ("spec", "budget", "monthlyUSD"),
            )
        promised = sum(f.budget.monthly_usd for f in budgeted)
        if promised > plan.budget.monthly_usd:
            yield Violation(
                f"function budgets add up to {usd(promised)}, more than the plan budget of "
                f"{usd(plan.budget.monthly_usd)}",
                ("spec", "budget", "monthlyUSD"),
            )
    for function in budgeted:
        spent = cost.per_function[function.name]
        if spent > function.budget.monthly_usd:
            yield Violation(
                f"function '{function.name}' is estimated at {usd(spent)} a month, over its budget of "
                f"{usd(function.budget.monthly_usd)} (price table {table})",
                function.path + ("budget", "monthlyUSD"),
                function.name,
            )


POLICY = Policy(
    id="PRV-BUD-003",
    title="The cost estimate fits the budgets",
    enforcement=Enforcement.MANDATORY,
    description=(
        "The offline cost estimate (policies/cost, a versioned table of AWS list prices and "
        "explicit usage assumptions per function type) must not exceed spec.budget.monthlyUSD, "
        "each function's budget.monthlyUSD must cover that function's estimate, and the function "
        "budgets together must fit in the plan budget. The estimate prices what the plan "
        "provisions on AWS, not the vendors' fees."
    ),
    remediation=(
        "Raise the budget, or shrink what drives the estimate (NAT gateways, SFTP endpoints, CDN "
        "price class, retention)."
    ),
    check=check,
    tags=("budget", "cost"),
)
