"""Monthly cost of BASE and HEAD from the policies' offline estimator, against HEAD's budgets."""

from __future__ import annotations

from provision.cli.review.model import CostReview, FunctionCost
from provision.policies.cost import estimate
from provision.schemas.model import Plan


def cost_review(base: Plan | None, head: Plan) -> CostReview:
    """Per-function and total cost before and after, with HEAD's plan and function budgets."""
    after = estimate(head)
    before = estimate(base) if base is not None else None
    names = list(dict.fromkeys([*head.functions, *(base.functions if base else ())]))
    functions = tuple(
        FunctionCost(
            function=name,
            before=before.per_function.get(name) if before else None,
            after=after.per_function.get(name),
            budget=_function_budget(head, name),
        )
        for name in names
    )
    return CostReview(
        price_table=after.price_table_version,
        functions=functions,
        plan_level_before=round(sum(before.plan_level.values()), 2) if before else None,
        plan_level_after=round(sum(after.plan_level.values()), 2),
        total_before=before.total_usd if before else None,
        total_after=after.total_usd,
        budget=head.budget.monthly_usd if head.budget else None,
        budget_before=base.budget.monthly_usd if base is not None and base.budget else None,
    )


def _function_budget(plan: Plan, name: str) -> float | None:
    function = plan.functions.get(name)
    return function.budget.monthly_usd if function is not None and function.budget else None
