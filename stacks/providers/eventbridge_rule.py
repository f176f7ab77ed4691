"""An EventBridge rule with its targets and tags, plus the finding patterns the
security-monitoring function routes on.

Severity thresholds follow each service's scale:
- GuardDuty `detail.severity` is a number: low 1.0-3.9, medium 4.0-6.9,
  high 7.0-8.9, critical 9.0+; "at or above" is a numeric >= match.
- Security Hub `detail.findings.Severity.Label` is a label; "at or above" is
  the list of labels from the threshold up.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import pulumi
import pulumi.dynamic

from provision.stacks.providers.base import (
    AwsResourceProvider,
    CreateResult,
    ProviderError,
    ReadResult,
    UpdateResult,
    aws_call,
    client,
    rollback_on_failure,
    same_json,
    tag_list,
)
from provision.stacks.providers.calls import call_or_none
from provision.stacks.providers.tag_sync import tag_changes, tags_of

SEVERITIES = ("low", "medium", "high", "critical")
# API calls that blind an audit trail; they alert whatever the threshold.
TRAIL_TAMPERING = ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors")
GUARDDUTY_MIN_SCORE = {"low": 1, "medium": 4, "high": 7, "critical": 9}


def guardduty_findings_pattern(min_severity: str) -> dict[str, Any]:
    """GuardDuty findings at or above `min_severity`."""
    return {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", GUARDDUTY_MIN_SCORE[min_severity]]}]},
    }


def securityhub_findings_pattern(min_severity: str, exclude_products: tuple[str, ...] = ()) -> dict[str, Any]:
    """New, active Security Hub findings at or above `min_severity`.

    `exclude_products` drops findings Security Hub imports from products that
    are routed on their own (e.g. "GuardDuty"), so one finding alerts once.
    """
    labels = [s.upper() for s in SEVERITIES[SEVERITIES.index(min_severity) :]]
    findings: dict[str, Any] = {
        "Severity": {"Label": labels},
        "Workflow": {"Status": ["NEW"]},
        "RecordState": ["ACTIVE"],
    }
    if exclude_products:
        findings["ProductName"] = [{"anything-but": sorted(exclude_products)}]
    return {
        "source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        "detail": {"findings": findings},
    }


def trail_tampering_pattern(trail_name: str) -> dict[str, Any]:
    """Calls that stop, delete or change the trail `trail_name` (by name or ARN)."""
    return {
        "source": ["aws.cloudtrail"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["cloudtrail.amazonaws.com"],
            "eventName": list(TRAIL_TAMPERING),
            "requestParameters": {"name": [trail_name, {"suffix": f":trail/{trail_name}"}]},
        },
    }


def _rule_name(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


class EventBridgeRuleProvider(AwsResourceProvider):
    REPLACE_ON = frozenset({"name", "event_bus_name"})
    OUTPUTS = frozenset({"arn"})
    UNIQUE_BY = frozenset({"name", "event_bus_name"})
    # What verify and the other providers need to know of this kind (see AwsResourceProvider).
    INVENTORY_MARKER = "event_pattern"
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    EXISTENCE_PROBE = "existence:_rule"
    TAG_READER = ("tags:_arn_list", "events", "ResourceARN")
    VERIFY_CHECKS = ("tags",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        events = client("events")
        name = props["name"]
        arn = aws_call(
            f"EventBridge rule {name}: PutRule",
            events.put_rule,
            **self._rule(props),
            Tags=tag_list(props.get("tags")),
        )["RuleArn"]
        with rollback_on_failure(lambda: self.delete(arn, props)):
            self._sync_targets(events, props, {})
        return CreateResult(arn, self.outputs(props, arn=arn))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult | None:
        events = client("events")
        what = f"EventBridge rule {id_}"
        bus = props.get("event_bus_name") or "default"
        rule = call_or_none(f"{what}: DescribeRule", events.describe_rule, Name=_rule_name(id_), EventBusName=bus)
        if rule is None:
            return None
        tags = aws_call(f"{what}: ListTagsForResource", events.list_tags_for_resource, ResourceARN=id_)["Tags"]
        current = {
            **props,
            "name": rule["Name"],
            "event_bus_name": rule.get("EventBusName", bus),
            "event_pattern": same_json(rule.get("EventPattern"), props.get("event_pattern")),
            "description": rule.get("Description") or None,
            "enabled": rule.get("State") == "ENABLED",
            "targets": self._targets(events, rule["Name"], bus),
            "tags": tags_of(tags),
        }
        return ReadResult(id_, self.outputs(current, arn=id_))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        events = client("events")
        what = f"EventBridge rule {id_}"
        aws_call(f"{what}: PutRule", events.put_rule, **self._rule(news))
        self._sync_targets(events, news, self._targets(events, news["name"], news.get("event_bus_name") or "default"))
        to_set, removed = tag_changes(olds.get("tags"), news.get("tags"))
        if removed:
            aws_call(f"{what}: UntagResource", events.untag_resource, ResourceARN=id_, TagKeys=removed)
        if to_set:
            aws_call(f"{what}: TagResource", events.tag_resource, ResourceARN=id_, Tags=tag_list(to_set))
        return UpdateResult(self.outputs(news, arn=id_))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        events = client("events")
        what = f"EventBridge rule {id_}"
        name, bus = _rule_name(id_), props.get("event_bus_name") or "default"
        # A rule with targets cannot be deleted; remove them first.
        targets = call_or_none(f"{what}: ListTargetsByRule", events.list_targets_by_rule, Rule=name, EventBusName=bus)
        ids = [t["Id"] for t in (targets or {}).get("Targets", [])]
        if ids:
            call_or_none(f"{what}: RemoveTargets", events.remove_targets, Rule=name, EventBusName=bus, Ids=ids)
        call_or_none(f"{what}: DeleteRule", events.delete_rule, Name=name, EventBusName=bus)

    @staticmethod
    def _rule(props: Mapping[str, Any]) -> dict[str, Any]:
        rule = {
            "Name": props["name"],
            "EventBusName": props.get("event_bus_name") or "default",
            "EventPattern": props["event_pattern"],
            "State": "ENABLED" if props.get("enabled", True) else "DISABLED",
        }
        if props.get("description"):
            rule["Description"] = props["description"]
        return rule

    @staticmethod
    def _targets(events, name: str, bus: str) -> dict[str, str]:
        pages = events.get_paginator("list_targets_by_rule").paginate(Rule=name, EventBusName=bus)
        listed = aws_call(f"EventBridge rule {name}: ListTargetsByRule", lambda: [t for p in pages for t in p["Targets"]])
        return {t["Id"]: t["Arn"] for t in listed}

    @staticmethod
    def _sync_targets(events, props: Mapping[str, Any], current: Mapping[str, str]) -> None:
        what = f"EventBridge rule {props['name']}"
        bus = props.get("event_bus_name") or "default"
        wanted = props.get("targets") or {}
        stale = sorted(current.keys() - wanted.keys())
        if stale:
            aws_call(f"{what}: RemoveTargets", events.remove_targets, Rule=props["name"], EventBusName=bus, Ids=stale)
        changed = [{"Id": i, "Arn": arn} for i, arn in sorted(wanted.items()) if current.get(i) != arn]
        if changed:
            answer = aws_call(
                f"{what}: PutTargets", events.put_targets, Rule=props["name"], EventBusName=bus, Targets=changed
            )
            failed = answer.get("FailedEntries") or []
            if failed:
                detail = "; ".join(f"{f['TargetId']}: {f['ErrorCode']}: {f['ErrorMessage']}" for f in failed)
                raise ProviderError(f"{what}: PutTargets: {detail}")


class EventBridgeRule(pulumi.dynamic.Resource, module="aws", name="EventBridgeRule"):
    """An EventBridge rule; `targets` maps target ids to ARNs. The id is the rule ARN."""

    arn: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        event_pattern: Mapping[str, Any],
        targets: Mapping[str, pulumi.Input[str]],
        description: str | None = None,
        enabled: bool = True,
        event_bus_name: str = "default",
        tags: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": name,
            "event_bus_name": event_bus_name,
            # Sorted keys: the same pattern always serialises the same, so diff stays quiet.
            "event_pattern": json.dumps(event_pattern, sort_keys=True),
            "description": description,
            "enabled": enabled,
            "targets": dict(targets),
            "tags": dict(tags or {}),
            "arn": None,
        }
        super().__init__(EventBridgeRuleProvider(), resource_name, props, opts)
