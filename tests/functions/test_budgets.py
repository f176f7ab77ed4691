"""The plan-level budgets program under Pulumi mocks."""

from __future__ import annotations

import pytest

from provision.stacks.functions.budgets import build_budgets
from provision.stacks.providers.budget import threshold_notifications

ACCOUNT = "111122223333"
OWNER = ["platform@acme.example"]
WEB = {"type": "hosting", "provider": "aws", "hosting": {"kind": "static-site"}}
DROP = {"type": "data-exchange", "provider": "claimsco", "dataExchange": {"retentionDays": 30}}


@pytest.fixture
def plan(make_plan):
    return make_plan(
        {
            "web": {**WEB, "budget": {"monthlyUSD": 300, "alertThresholds": [50, 90, 120]}},
            "drop": DROP,
        },
        budget={"monthlyUSD": 2500},
    )


def test_a_plan_budget_and_one_per_function_with_a_budget(graph_of, plan) -> None:
    graph = graph_of(build_budgets, plan, ACCOUNT)

    assert sorted(graph.of("BudgetProvider")) == ["budget-plan", "budget-web"]
    assert graph.components == {"budgets": "provision:plan:Budgets"}
    assert all(graph.parent_types[name] == "provision:plan:Budgets" for name in graph.resources)
    assert graph.outputs == {"plan": "arn:aws:budgets:mock:budget-plan", "web": "arn:aws:budgets:mock:budget-web"}


def active(plan, account_id):
    """The budgets of an organisation whose provision:* cost allocation tags are active."""
    return build_budgets(plan, account_id, cost_tags_active=True)


def test_by_default_budgets_count_all_spend_since_inactive_tags_would_count_nothing(graph_of, plan) -> None:
    graph = graph_of(build_budgets, plan, ACCOUNT)

    assert (graph["budget-plan"]["cost_tags"], graph["budget-web"]["cost_tags"]) == ({}, {})
    assert graph["budget-plan"]["tags"] == {"provision:plan": "acme-prod", "provision:environment": "prod"}


def test_the_plan_budget_has_its_limit_default_thresholds_and_plan_scope(graph_of, plan) -> None:
    budget = graph_of(active, plan, ACCOUNT)["budget-plan"]

    assert (budget["limit_amount"], budget["time_unit"], budget["account_id"]) == (2500.0, "MONTHLY", ACCOUNT)
    assert budget["budget_name"].startswith("acme-prod-budget-")
    assert budget["notifications"] == threshold_notifications([80, 100], OWNER)
    assert budget["cost_tags"] == {"provision:plan": "acme-prod", "provision:environment": "prod"}
    assert budget["tags"] == budget["cost_tags"]


def test_a_function_budget_follows_its_own_thresholds_and_function_scope(graph_of, plan) -> None:
    budget = graph_of(active, plan, ACCOUNT)["budget-web"]

    assert budget["limit_amount"] == 300.0
    assert budget["budget_name"].startswith("acme-prod-web-budget-")
    assert [n["threshold"] for n in budget["notifications"]] == [50.0, 90.0, 120.0]
    assert all(n["subscribers"] == OWNER for n in budget["notifications"])
    assert budget["cost_tags"] == {
        "provision:plan": "acme-prod",
        "provision:environment": "prod",
        "provision:function": "web",
    }
    assert budget["tags"]["provision:provider"] == "aws"


def test_no_budgets_anywhere_builds_nothing(graph_of, make_plan) -> None:
    graph = graph_of(build_budgets, make_plan({"drop": DROP}), ACCOUNT)

    assert graph.resources == {}
    assert graph.outputs == {}
