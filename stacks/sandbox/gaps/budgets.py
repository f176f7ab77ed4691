"""AWS Budgets: what moto 5.2.1 lacks.

- UpdateBudget;
- DescribeSubscribersForNotification;
- tags: CreateBudget's ResourceTags, TagResource, UntagResource,
  ListTagsForResource (budget ARNs, arn:aws:budgets::<account>:budget/<name>);
- DescribeNotificationsForBudget on a missing budget answers NotFoundException
  (moto: an internal error).
Notifications are matched the way AWS matches them: by type, comparison
operator, threshold and threshold type. Shapes follow the botocore model.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from moto.budgets.exceptions import NotFoundException
from moto.budgets.models import Budget, BudgetsBackend
from moto.budgets.responses import BudgetsResponse
from moto.core.utils import unix_time

NOTIFICATION_KEYS = ("NotificationType", "ComparisonOperator", "Threshold", "ThresholdType")


def _same_notification(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    defaults = {"ThresholdType": "PERCENTAGE"}
    return all(a.get(k, defaults.get(k)) == b.get(k, defaults.get(k)) for k in NOTIFICATION_KEYS)


def _budget(backend: BudgetsBackend, account_id: str, name: str, verb: str) -> Budget:
    budget = backend.budgets[account_id].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to {verb}: {name} - the budget doesn't exist.")
    return budget


def _tags(backend: BudgetsBackend) -> dict[str, dict[str, str]]:
    """ARN -> tags, kept on the backend so a sandbox reset clears them."""
    return backend.__dict__.setdefault("_resource_tags", {})


def _arn(account_id: str, name: str) -> str:
    return f"arn:aws:budgets::{account_id}:budget/{name}"


def _tagged_budget(backend: BudgetsBackend, arn: str) -> str:
    """The ARN, after checking it names an existing budget."""
    prefix, _, name = arn.partition(":budget/")
    account_id = prefix.split(":")[-1] if prefix.startswith("arn:") else ""
    if not name or name not in backend.budgets[account_id]:
        raise NotFoundException(f"Unable to find resource: {arn}")
    return arn


def _create_budget(original):
    def handler(self: BudgetsResponse) -> str:
        answer = original(self)
        tags = self._get_param("ResourceTags") or []
        if tags:
            arn = _arn(self._get_param("AccountId"), self._get_param("Budget")["BudgetName"])
            _tags(self.backend)[arn] = {t["Key"]: t["Value"] for t in tags}
        return answer

    handler.__wrapped__ = original
    return handler


def _delete_budget(original):
    def handler(self: BudgetsResponse) -> str:
        answer = original(self)
        _tags(self.backend).pop(_arn(self._get_param("AccountId"), self._get_param("BudgetName")), None)
        return answer

    handler.__wrapped__ = original
    return handler


def _describe_notifications_for_budget(original):
    def handler(self: BudgetsResponse) -> str:
        _budget(self.backend, self._get_param("AccountId"), self._get_param("BudgetName"), "describe notifications")
        return original(self)

    handler.__wrapped__ = original
    return handler


def _update_budget(self: BudgetsResponse) -> str:
    account_id = self._get_param("AccountId")
    new = dict(self._get_param("NewBudget"))
    budget = _budget(self.backend, account_id, new["BudgetName"], "update budget")
    if "BudgetLimit" not in new and "PlannedBudgetLimits" not in new:
        new["BudgetLimit"] = budget.budget.get("BudgetLimit")
    new.setdefault("TimePeriod", budget.budget["TimePeriod"])
    new["LastUpdatedTime"] = unix_time()
    budget.budget = new
    return "{}"


def _describe_subscribers_for_notification(self: BudgetsResponse) -> str:
    budget = _budget(self.backend, self._get_param("AccountId"), self._get_param("BudgetName"), "describe subscribers")
    wanted = self._get_param("Notification")
    for notification in budget.notifications:
        if _same_notification(notification.details, wanted):
            return json.dumps({"Subscribers": notification.subscribers})
    raise NotFoundException("Unable to describe subscribers: the notification doesn't exist.")


def _tag_resource(self: BudgetsResponse) -> str:
    arn = _tagged_budget(self.backend, self._get_param("ResourceARN"))
    tags = _tags(self.backend).setdefault(arn, {})
    tags.update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags")})
    return "{}"


def _untag_resource(self: BudgetsResponse) -> str:
    arn = _tagged_budget(self.backend, self._get_param("ResourceARN"))
    tags = _tags(self.backend).get(arn, {})
    for key in self._get_param("ResourceTagKeys"):
        tags.pop(key, None)
    return "{}"


def _list_tags_for_resource(self: BudgetsResponse) -> str:
    arn = _tagged_budget(self.backend, self._get_param("ResourceARN"))
    tags = _tags(self.backend).get(arn, {})
    return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in tags.items()]})


def _unwrapped(method):
    return getattr(method, "__wrapped__", method)


def install() -> None:
    """Patch moto's budgets request handler in-process."""
    BudgetsResponse.create_budget = _create_budget(_unwrapped(BudgetsResponse.create_budget))
    BudgetsResponse.delete_budget = _delete_budget(_unwrapped(BudgetsResponse.delete_budget))
    BudgetsResponse.describe_notifications_for_budget = _describe_notifications_for_budget(
        _unwrapped(BudgetsResponse.describe_notifications_for_budget)
    )
    BudgetsResponse.update_budget = _update_budget
    BudgetsResponse.describe_subscribers_for_notification = _describe_subscribers_for_notification
    BudgetsResponse.tag_resource = _tag_resource
    BudgetsResponse.untag_resource = _untag_resource
    BudgetsResponse.list_tags_for_resource = _list_tags_for_resource
