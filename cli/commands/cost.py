"""`provision cost`: a plan's monthly AWS estimate per function, its total and the budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from provision.cli.stack_options import load_checked_plan


def cost_document(plan, cost, estimate) -> dict[str, Any]:
    """The machine-readable estimate (`--format json`); amounts in USD a month."""
    return {
        "apiVersion": "provision/v1",
        "kind": "CostEstimate",
        "plan": plan.name,
        "environment": plan.environment,
        "priceTable": cost.price_table,
        "functions": [
            {
                "function": c.function,
                "type": plan.functions[c.function].type,
                "monthlyUSD": c.after,
                "budgetUSD": c.budget,
                "overBudget": c.over_budget,
                "items": dict(estimate.items.get(c.function, {})),
            }
            for c in cost.functions
        ],
        "planWide": dict(estimate.plan_level),
        "totalUSD": cost.total_after,
        "budgetUSD": cost.budget,
        "overBudget": cost.over_budget,
    }


def render_cost(plan, cost, estimate, *, items: bool) -> str:
    """One row per function (its line items with --items), the plan-wide items, then total and budget."""
    from provision.cli.review.present import cost_line, money

    rows: list[tuple[str, str, str, str]] = []
    for c in cost.functions:
        budget = "" if c.budget is None else f"budget {money(c.budget)}" + (" OVER" if c.over_budget else "")
        rows.append((c.function, plan.functions[c.function].type, money(c.after), budget))
        if items:
            rows.extend((f"  {name}", "", money(amount), "") for name, amount in estimate.items[c.function].items())
    rows.extend((f"({name})", "plan-wide", money(amount), "") for name, amount in estimate.plan_level.items())
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"Monthly AWS cost estimate of {plan.name}/{plan.environment} (price table {cost.price_table}; "
             "list prices and usage assumptions, vendor fees not included):"]
    lines += [f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}  {d}".rstrip() for a, b, c, d in rows]
    lines.append(f"Total: {cost_line(cost, False)}")
    return "\n".join(lines) + "\n"


@click.command("cost")
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--items", is_flag=True, help="Text format: also list each function's line items.")
def cost(plan_file: Path, fmt: str, items: bool) -> None:
    """Estimate PLAN's monthly AWS cost: per function, in total, and against the budget.

    Offline, from the versioned price table (policies/cost/aws-prices.v1.json)
    and its usage assumptions per function type, the same estimate the budget
    policy (PRV-BUD-003) and `provision diff` use. Mandatory policy findings
    do not stop it: an estimate over budget is what you may want to see.

    \b
    Examples:
      provision cost examples/saas-startup.yaml
      provision cost plans/prod.yaml --items
      provision cost plans/prod.yaml --format json

    \b
    Exit codes:
      0  estimated (also when over budget: `provision validate` fails on that)
      2  PLAN is invalid, or bad usage
    """
    from provision.cli.review.costs import cost_review
    from provision.policies.cost import estimate

    plan = load_checked_plan(plan_file, enforce_policies=False, summary_only=True)
    review, detail = cost_review(None, plan), estimate(plan)
    if fmt == "json":
        click.echo(json.dumps(cost_document(plan, review, detail), indent=2))
    else:
        click.echo(render_cost(plan, review, detail, items=items), nl=False)
