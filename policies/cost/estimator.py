"""Monthly cost of a plan, from the offline price table and explicit usage assumptions.

Each function type has a pricer (its declaration's `cost`, see
policies.cost.pricers) that turns the function's settings plus its usage
assumptions into named line items (USD a month). The numbers are an
estimate for budgeting and review, not a quote: see the notes in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from provision.policies.cost.price_table import PriceTable, load_price_table
from provision.schemas import function_types
from provision.schemas.model import Function, Plan

Usage = Mapping[str, float]
Items = dict[str, float]


@dataclass(frozen=True)
class CostEstimate:
    per_function: Mapping[str, float]  # function name -> USD a month
    plan_level: Mapping[str, float]  # plan-wide items (budgets) -> USD a month
    total_usd: float
    price_table_version: str
    items: Mapping[str, Mapping[str, float]]  # function name -> line item -> USD a month


class Pricer:
    """Prices one plan against one table; shared so backups can see what they protect.

    Each function type's `cost` (schemas.function_types) gets it, with the
    function and its usage, and returns the function's line items.
    """

    def __init__(self, plan: Plan, table: PriceTable, usage: Mapping[str, Usage]):
        unknown = set(usage) - set(plan.functions)
        if unknown:
            raise ValueError(f"usage given for unknown functions: {', '.join(sorted(unknown))}")
        self.plan, self.table = plan, table
        self.usage: dict[str, dict[str, float]] = {}
        for name, function in plan.functions.items():
            defaults = {**function_types.get(function.type).usage, **table.usage_for(function.type)}
            extra = set(usage.get(name, {})) - set(defaults)
            if extra:
                raise ValueError(f"unknown usage keys for function '{name}': {', '.join(sorted(extra))}")
            self.usage[name] = {**defaults, **usage.get(name, {})}

    def p(self, service: str, item: str) -> float:
        return float(self.table.price(service, item))

    def stored_gb(self, function: Function) -> float:
        """Data a function holds at steady state, the basis for backing it up."""
        measure = function_types.get(function.type).stored_gb
        return function_types.resolve(measure)(self, function) if measure else 0.0

    def kms_key(self, requests: float) -> float:
        return self.p("kms", "keyMonth") + requests / 10_000 * self.p("kms", "requestsPer10000")

    def emails(self, count: float) -> float:
        return count / 100_000 * self.p("sns", "emailNotificationsPer100000")

    def function_items(self, f: Function) -> Items:
        cost = function_types.resolve(function_types.get(f.type).cost)
        return cost(self, f, self.usage[f.name])

    def plan_items(self) -> Items:
        budgets = (self.plan.budget is not None) + sum(f.budget is not None for f in self.plan.functions.values())
        billable = max(0, budgets - int(self.p("budgets", "freeBudgets")))
        return {"budgets": billable * self.p("budgets", "budgetDay") * self.table.days_per_month}


def _cents(amount: float) -> float:
    return round(amount, 2)


def estimate(
    plan: Plan, *, usage: Mapping[str, Usage] | None = None, table: PriceTable | None = None
) -> CostEstimate:
    """Estimate the plan's monthly AWS cost in USD.

    `usage` overrides the table's assumptions per function, e.g.
    {"web": {"cdnTransferOutGB": 500}}; unknown functions or keys raise ValueError.
    """
    pricer = Pricer(plan, table or load_price_table(), usage or {})
    items = {name: pricer.function_items(f) for name, f in plan.functions.items()}
    plan_items = pricer.plan_items()
    per_function = {name: sum(lines.values()) for name, lines in items.items()}
    total = sum(per_function.values()) + sum(plan_items.values())
    return CostEstimate(
        per_function={n: _cents(v) for n, v in per_function.items()},
        plan_level={n: _cents(v) for n, v in plan_items.items()},
        total_usd=_cents(total),
        price_table_version=pricer.table.version,
        items={n: {k: _cents(v) for k, v in lines.items()} for n, lines in items.items()},
    )
