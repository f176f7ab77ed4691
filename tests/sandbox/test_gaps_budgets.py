"""The budgets gap fill: UpdateBudget, subscribers, tags and not-found errors, through boto3 on moto."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.stacks.sandbox.gaps import budgets as budgets_gap

ACCOUNT = "123456789012"
ARN = f"arn:aws:budgets::{ACCOUNT}:budget/monthly"
NOTIFICATION = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80.0, "ThresholdType": "PERCENTAGE"}
SUBSCRIBERS = [{"SubscriptionType": "EMAIL", "Address": "owner@acme.example"}]


@pytest.fixture
def budgets(monkeypatch: pytest.MonkeyPatch):
    for var, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    budgets_gap.install()
    with mock_aws():
        client = boto3.client("budgets", region_name="us-east-1")
        client.create_budget(
            AccountId=ACCOUNT,
            Budget={"BudgetName": "monthly", "BudgetLimit": {"Amount": "100", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"},
            NotificationsWithSubscribers=[{"Notification": NOTIFICATION, "Subscribers": SUBSCRIBERS}],
            ResourceTags=[{"Key": "provision:plan", "Value": "acme"}],
        )
        yield client


def _code(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


def test_update_budget_changes_the_limit(budgets) -> None:
    budgets.update_budget(
        AccountId=ACCOUNT,
        NewBudget={"BudgetName": "monthly", "BudgetLimit": {"Amount": "250", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"},
    )

    budget = budgets.describe_budget(AccountId=ACCOUNT, BudgetName="monthly")["Budget"]
    assert budget["BudgetLimit"] == {"Amount": "250", "Unit": "USD"}
    assert budget["TimeUnit"] == "MONTHLY"


def test_update_of_a_missing_budget_is_not_found(budgets) -> None:
    with pytest.raises(ClientError) as exc:
        budgets.update_budget(
            AccountId=ACCOUNT,
            NewBudget={"BudgetName": "ghost", "BudgetLimit": {"Amount": "1", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"},
        )
    assert _code(exc) == ("NotFoundException", "Unable to update budget: ghost - the budget doesn't exist.")


def test_subscribers_of_a_notification(budgets) -> None:
    answer = budgets.describe_subscribers_for_notification(AccountId=ACCOUNT, BudgetName="monthly", Notification=NOTIFICATION)
    assert answer["Subscribers"] == SUBSCRIBERS

    with pytest.raises(ClientError) as exc:
        budgets.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName="monthly", Notification={**NOTIFICATION, "Threshold": 99.0}
        )
    assert _code(exc)[0] == "NotFoundException"


def test_tags_from_create_then_tag_and_untag(budgets) -> None:
    assert budgets.list_tags_for_resource(ResourceARN=ARN)["ResourceTags"] == [{"Key": "provision:plan", "Value": "acme"}]

    budgets.tag_resource(ResourceARN=ARN, ResourceTags=[{"Key": "team", "Value": "fin"}])
    budgets.untag_resource(ResourceARN=ARN, ResourceTagKeys=["provision:plan"])

    assert budgets.list_tags_for_resource(ResourceARN=ARN)["ResourceTags"] == [{"Key": "team", "Value": "fin"}]


def test_deleting_a_budget_drops_its_tags_and_tagging_it_is_not_found(budgets) -> None:
    budgets.delete_budget(AccountId=ACCOUNT, BudgetName="monthly")

    with pytest.raises(ClientError) as exc:
        budgets.list_tags_for_resource(ResourceARN=ARN)
    assert _code(exc) == ("NotFoundException", f"Unable to find resource: {ARN}")
    with pytest.raises(ClientError) as exc:
        budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="monthly")
    assert _code(exc) == ("NotFoundException", "Unable to describe notifications: monthly - the budget doesn't exist.")
