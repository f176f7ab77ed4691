"""BudgetProvider against moto (with the budgets gap fill)."""

from __future__ import annotations

import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.budget import Budget, BudgetProvider, filter_expression, threshold_notifications

NAME = "acme-prod"
OWNER = "platform@acme.example"


def _props(account_id: str, **overrides):
    props = {
        "budget_name": NAME,
        "account_id": account_id,
        "limit_amount": 2500.0,
        "limit_unit": "USD",
        "time_unit": "MONTHLY",
        "budget_type": "COST",
        "cost_tags": {"provision:plan": "acme", "provision:environment": "prod"},
        "notifications": threshold_notifications([80, 100], [OWNER]),
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


def test_threshold_notifications_one_per_threshold_to_every_email() -> None:
    assert threshold_notifications([100, 80, 80], ["b@x.example", "a@x.example"]) == [
        {
            "notification_type": "ACTUAL",
            "comparison_operator": "GREATER_THAN",
            "threshold": threshold,
            "threshold_type": "PERCENTAGE",
            "subscribers": ["a@x.example", "b@x.example"],
        }
        for threshold in (80.0, 100.0)
    ]


def test_filter_expression_ands_every_tag() -> None:
    assert filter_expression({}) is None
    assert filter_expression({"a": "1"}) == {"Tags": {"Key": "a", "Values": ["1"], "MatchOptions": ["EQUALS"]}}
    assert filter_expression({"b": "2", "a": "1"}) == {
        "And": [
            {"Tags": {"Key": "a", "Values": ["1"], "MatchOptions": ["EQUALS"]}},
            {"Tags": {"Key": "b", "Values": ["2"], "MatchOptions": ["EQUALS"]}},
        ]
    }


def test_create_then_read(aws, account_id) -> None:
    provider = BudgetProvider()

    created = provider.create(_props(account_id))

    assert created.id == NAME
    assert created.outs["arn"] == f"arn:aws:budgets::{account_id}:budget/{NAME}"
    assert provider.read(NAME, created.outs).outs == created.outs


def test_create_without_account_uses_the_callers(aws, account_id) -> None:
    created = BudgetProvider().create(_props(None))

    assert created.outs["account_id"] == account_id


def test_diff_name_account_or_type_replace_limit_alerts_tags_update(account_id) -> None:
    provider = BudgetProvider()
    old = {**_props(account_id), "arn": "arn:x"}

    assert provider.diff(NAME, old, _props(account_id, budget_name="b")).replaces == ["budget_name"]
    assert provider.diff(NAME, old, _props("210987654321")).replaces == ["account_id"]
    assert provider.diff(NAME, old, _props(account_id, budget_type="USAGE")).replaces == ["budget_type"]
    changed = provider.diff(NAME, old, _props(account_id, limit_amount=3000.0, cost_tags={}, notifications=[], tags={}))
    assert changed.changes and changed.replaces == []


def test_update_limit_thresholds_subscribers_and_tags(aws, account_id) -> None:
    provider = BudgetProvider()
    created = provider.create(_props(account_id))
    news = _props(
        account_id,
        limit_amount=4000.0,
        cost_tags={"provision:function": "web"},
        notifications=threshold_notifications([100], [OWNER, "cfo@acme.example"])
        + threshold_notifications([50], [OWNER]),
        tags={"team": "finance"},
    )

    provider.update(NAME, created.outs, news)

    outs = provider.read(NAME, created.outs).outs
    assert outs["limit_amount"] == 4000.0
    assert outs["cost_tags"] == {"provision:function": "web"}
    # Notifications are a set (SET_LIKE): compared without their order.
    wanted = threshold_notifications([50], [OWNER]) + threshold_notifications([100], [OWNER, "cfo@acme.example"])
    assert len(outs["notifications"]) == len(wanted)
    assert all(n in outs["notifications"] for n in wanted)
    assert outs["tags"] == {"team": "finance"}


def test_delete_then_read_is_none_and_delete_again_is_fine(aws, account_id) -> None:
    provider = BudgetProvider()
    created = provider.create(_props(account_id))

    provider.delete(NAME, created.outs)

    assert provider.read(NAME, created.outs) is None
    provider.delete(NAME, created.outs)


def test_a_duplicate_budget_names_the_aws_error(aws, account_id) -> None:
    BudgetProvider().create(_props(account_id))

    with pytest.raises(
        ProviderError,
        match=rf"^Budget {NAME}: CreateBudget: DuplicateRecordException: Error creating budget: {NAME} - the budget already exists.$",
    ):
        BudgetProvider().create(_props(account_id))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"limit_amount": 0}, "limit_amount must be positive, got 0"),
        ({"limit_amount": 10, "time_unit": "WEEKLY"}, "time_unit 'WEEKLY' is not one of"),
    ],
)
def test_settings_aws_would_refuse_are_rejected_early(kwargs, message) -> None:
    with pytest.raises(ValueError, match=f"^{message}"):
        Budget("b", budget_name=NAME, **kwargs)
