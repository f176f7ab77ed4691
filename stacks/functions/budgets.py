"""Plan-level budgets: one AWS Budget for the plan and one per function with a budget.

Each is a monthly cost budget alerting the plan owner by email at every
`alertThresholds` percentage of the limit (actual spend).

A budget scoped by tags counts only costs of tags activated as cost allocation
tags, which only an Organization's management account can do, once the tags
appear in billing; scoped by inactive tags it reads $0 and never alerts. So
budgets are scoped by the plan's tags (provision:plan, provision:environment
and, per function, provision:function) only when the organisation's policy
config says they are active (`costAllocationTagsActive: true`); otherwise they
count the account's whole spend, which can only alert early, never too late.
"""

from __future__ import annotations

from typing import Any

import pulumi

from provision.schemas.model import Budget as BudgetSpec, Plan
from provision.stacks.functions.base import (
    TAG_ENVIRONMENT,
    TAG_FUNCTION,
    TAG_PLAN,
    TAG_PROVIDER,
    physical_name,
)
from provision.stacks.providers.budget import Budget, threshold_notifications

COMPONENT_TYPE = "provision:plan:Budgets"


class BudgetsComponent(pulumi.ComponentResource):
    """Parent of a plan's budgets; `outputs` maps "plan" and function names to budget ARNs."""

    def __init__(self, plan: Plan, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(COMPONENT_TYPE, "budgets", None, opts)
        self.outputs: dict[str, Any] = {}

    def finish(self, **outputs: Any) -> "BudgetsComponent":
        self.outputs.update(outputs)
        self.register_outputs(outputs)
        return self


def build_budgets(
    plan: Plan, account_id: str, opts: pulumi.ResourceOptions | None = None, *, cost_tags_active: bool = False
) -> BudgetsComponent:
    """The plan's budgets; none when neither the plan nor any function has one.

    `cost_tags_active`: the provision:* tags are active cost allocation tags, so budgets may filter on them.
    """
    component = BudgetsComponent(plan, opts)
    child = pulumi.ResourceOptions(parent=component)
    plan_tags = {TAG_PLAN: plan.name, TAG_ENVIRONMENT: plan.environment}
    outputs: dict[str, Any] = {}
    if plan.budget:
        name = physical_name(plan, "", "budget", account_id, kind="budget")
        outputs["plan"] = _budget(
            "budget-plan", name, plan, plan.budget, account_id, plan_tags, child, cost_tags_active
        ).arn
    for function in plan.functions.values():
        if function.budget:
            tags = {**plan_tags, TAG_FUNCTION: function.name, TAG_PROVIDER: function.provider}
            name = physical_name(plan, function.name, "budget", account_id, kind="budget")
            budget = _budget(
                f"budget-{function.name}", name, plan, function.budget, account_id, tags, child, cost_tags_active
            )
            outputs[function.name] = budget.arn
    return component.finish(**outputs)


def _budget(
    resource_name: str,
    budget_name: str,
    plan: Plan,
    spec: BudgetSpec,
    account_id: str,
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
    cost_tags_active: bool,
) -> Budget:
    # Cost is attributed by the tags every resource carries; the provider tag
    # is descriptive only (a function's costs are already its own).
    cost_tags = {k: v for k, v in tags.items() if k != TAG_PROVIDER} if cost_tags_active else {}
    return Budget(
        resource_name,
        budget_name=budget_name,
        account_id=account_id,
        limit_amount=spec.monthly_usd,
        time_unit="MONTHLY",
        cost_tags=cost_tags,
        notifications=threshold_notifications(spec.alert_thresholds, [plan.owner]),
        tags=tags,
        opts=opts,
    )
