"""An AWS Budgets cost budget: a limit per time unit, optionally only for costs carrying
given tags, and threshold alerts to email subscribers.

Tag-scoped budgets count only resources whose tags are activated as cost
allocation tags in the billing console (an account-level, one-off step).

Budgets is a global service answered from us-east-1. Notifications are
identified by (type, comparison, threshold, threshold type), as AWS does; a
changed subscriber list re-creates that notification.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import pulumi
import pulumi.dynamic

from provision.stacks.global_regions import BUDGETS_REGION
from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ReadResult,
    UpdateResult,
    aws_call,
    client,
    tag_list,
)
from provision.stacks.providers.calls import call_or_none, caller_account
from provision.stacks.providers.tag_sync import apply_tag_changes, tags_of

TIME_UNITS = frozenset({"DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY"})


def threshold_notifications(
    thresholds: Iterable[float], emails: Sequence[str], notification_type: str = "ACTUAL"
) -> list[dict[str, Any]]:
    """One notification per percentage threshold of the limit, each to every email."""
    return [
        {
            "notification_type": notification_type,
            "comparison_operator": "GREATER_THAN",
            "threshold": float(threshold),
            "threshold_type": "PERCENTAGE",
            "subscribers": sorted(set(emails)),
        }
        for threshold in sorted(set(thresholds))
    ]


def _notification(n: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "NotificationType": n.get("notification_type", "ACTUAL"),
        "ComparisonOperator": n.get("comparison_operator", "GREATER_THAN"),
        "Threshold": float(n["threshold"]),
        "ThresholdType": n.get("threshold_type", "PERCENTAGE"),
    }


def _key(n: Mapping[str, Any]) -> tuple:
    return tuple(sorted(_notification(n).items()))


def _subscribers(n: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"SubscriptionType": "EMAIL", "Address": email} for email in sorted(n.get("subscribers") or [])]


def filter_expression(cost_tags: Mapping[str, str]) -> dict[str, Any] | None:
    """A Cost Explorer expression matching costs that carry every one of `cost_tags`."""
    terms = [{"Tags": {"Key": k, "Values": [v], "MatchOptions": ["EQUALS"]}} for k, v in sorted(cost_tags.items())]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"And": terms}


def _cost_tags(expression: Mapping[str, Any] | None) -> dict[str, str]:
    """The tags a filter expression written by filter_expression() matches."""
    if not expression:
        return {}
    terms = expression.get("And") or [expression]
    return {t["Tags"]["Key"]: t["Tags"]["Values"][0] for t in terms if "Tags" in t}


def _budget(props: Mapping[str, Any]) -> dict[str, Any]:
    budget = {
        "BudgetName": props["budget_name"],
        "BudgetLimit": {"Amount": f"{float(props['limit_amount']):.2f}", "Unit": props.get("limit_unit") or "USD"},
        "TimeUnit": props.get("time_unit") or "MONTHLY",
        "BudgetType": props.get("budget_type") or "COST",
    }
    expression = filter_expression(props.get("cost_tags") or {})
    if expression:
        budget["FilterExpression"] = expression
    return budget


def budget_arn(account_id: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:budgets::{account_id}:budget/{name}"


class BudgetProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"budget_name", "account_id", "budget_type"})
    OUTPUTS = frozenset({"arn"})
    UNIQUE_BY = frozenset({"budget_name", "account_id"})  # a budget of another type keeps its name
    SET_LIKE = frozenset({"notifications"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "budget_name"
    NOT_FOUND = frozenset({"NotFoundException"})
    EXISTENCE_PROBE = "existence:_budget"
    TAG_READER = "tags:_budget"
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        budgets = client("budgets", BUDGETS_REGION)
        account_id = props.get("account_id") or caller_account()
        name = props["budget_name"]
        aws_call(
            f"Budget {name}: CreateBudget",
            budgets.create_budget,
            AccountId=account_id,
            Budget=_budget(props),
            NotificationsWithSubscribers=[
                {"Notification": _notification(n), "Subscribers": _subscribers(n)} for n in props.get("notifications") or []
            ],
            ResourceTags=tag_list(props.get("tags")),
        )
        return CreateResult(name, self.outputs({**props, "account_id": account_id}, arn=budget_arn(account_id, name, budgets.meta.partition)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        budgets = client("budgets", BUDGETS_REGION)
        account_id = props.get("account_id") or caller_account()
        answer = call_or_none(f"Budget {id_}: DescribeBudget", budgets.describe_budget, AccountId=account_id, BudgetName=id_)
        if answer is None:
            return None
        budget = answer["Budget"]
        notifications = []
        for notification in self._notifications(budgets, account_id, id_):
            subscribers = aws_call(
                f"Budget {id_}: DescribeSubscribersForNotification",
                budgets.describe_subscribers_for_notification,
                AccountId=account_id,
                BudgetName=id_,
                Notification=notification,
            )["Subscribers"]
            notifications.append(
                {
                    "notification_type": notification["NotificationType"],
                    "comparison_operator": notification["ComparisonOperator"],
                    "threshold": float(notification["Threshold"]),
                    "threshold_type": notification.get("ThresholdType", "PERCENTAGE"),
                    "subscribers": sorted(s["Address"] for s in subscribers if s["SubscriptionType"] == "EMAIL"),
                }
            )
        arn = budget_arn(account_id, id_, budgets.meta.partition)
        tags = aws_call(f"Budget {id_}: ListTagsForResource", budgets.list_tags_for_resource, ResourceARN=arn)
        current = {
            **props,
            "budget_name": id_,
            "account_id": account_id,
            "limit_amount": float(budget["BudgetLimit"]["Amount"]),
            "limit_unit": budget["BudgetLimit"]["Unit"],
            "time_unit": budget["TimeUnit"],
            "budget_type": budget["BudgetType"],
            "cost_tags": _cost_tags(budget.get("FilterExpression")),
            "notifications": sorted(notifications, key=_key),
            "tags": tags_of(tags.get("ResourceTags")),
        }
        return ReadResult(id_, self.outputs(current, arn=arn))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        budgets = client("budgets", BUDGETS_REGION)
        account_id = olds["account_id"]
        if _budget(olds) != _budget(news):
            aws_call(f"Budget {id_}: UpdateBudget", budgets.update_budget, AccountId=account_id, NewBudget=_budget(news))
        self._sync_notifications(budgets, account_id, id_, olds.get("notifications") or [], news.get("notifications") or [])
        arn = olds["arn"]
        apply_tag_changes(
            olds.get("tags"),
            news.get("tags"),
            untag=lambda keys: aws_call(f"Budget {id_}: UntagResource", budgets.untag_resource, ResourceARN=arn, ResourceTagKeys=keys),
            tag=lambda tags: aws_call(f"Budget {id_}: TagResource", budgets.tag_resource, ResourceARN=arn, ResourceTags=tag_list(tags)),
        )
        return UpdateResult(self.outputs({**news, "account_id": account_id}, arn=arn))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        call_or_none(
            f"Budget {id_}: DeleteBudget",
            client("budgets", BUDGETS_REGION).delete_budget,
            AccountId=props.get("account_id") or caller_account(),
            BudgetName=id_,
        )

    @staticmethod
    def _notifications(budgets, account_id: str, name: str) -> list[dict[str, Any]]:
        return aws_call(
            f"Budget {name}: DescribeNotificationsForBudget",
            budgets.describe_notifications_for_budget,
            AccountId=account_id,
            BudgetName=name,
        )["Notifications"]

    @staticmethod
    def _sync_notifications(budgets, account_id: str, name: str, old: Sequence[Mapping], new: Sequence[Mapping]) -> None:
        olds = {_key(n): n for n in old}
        news = {_key(n): n for n in new}
        resubscribed = {k for k in olds.keys() & news.keys() if _subscribers(olds[k]) != _subscribers(news[k])}
        for key in sorted((olds.keys() - news.keys()) | resubscribed):
            call_or_none(
                f"Budget {name}: DeleteNotification",
                budgets.delete_notification,
                AccountId=account_id,
                BudgetName=name,
                Notification=_notification(olds[key]),
            )
        for key in sorted((news.keys() - olds.keys()) | resubscribed):
            aws_call(
                f"Budget {name}: CreateNotification",
                budgets.create_notification,
                AccountId=account_id,
                BudgetName=name,
                Notification=_notification(news[key]),
                Subscribers=_subscribers(news[key]),
            )


class Budget(pulumi.dynamic.Resource, module="aws", name="Budget"):
    """A cost budget; its name is the resource id, `arn` its ARN."""

    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        budget_name: str,
        limit_amount: float,
        notifications: Sequence[Mapping[str, Any]] = (),
        cost_tags: Mapping[str, str] | None = None,
        account_id: str | None = None,
        time_unit: str = "MONTHLY",
        limit_unit: str = "USD",
        budget_type: str = "COST",
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if limit_amount <= 0:
            raise ValueError(f"limit_amount must be positive, got {limit_amount}")
        if time_unit not in TIME_UNITS:
            raise ValueError(f"time_unit {time_unit!r} is not one of {sorted(TIME_UNITS)}")
        props = {
            "budget_name": budget_name,
            "account_id": account_id,
            "limit_amount": float(limit_amount),
            "limit_unit": limit_unit,
            "time_unit": time_unit,
            "budget_type": budget_type,
            "cost_tags": dict(cost_tags or {}),
            "notifications": sorted((dict(n) for n in notifications), key=_key),
            "tags": dict(tags or {}),
            "arn": None,
        }
        super().__init__(BudgetProvider(), resource_name, props, opts)
