"""EventBridgeRuleProvider against moto, and the finding patterns it routes on."""

from __future__ import annotations

import json

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.eventbridge_rule import (
    EventBridgeRuleProvider,
    guardduty_findings_pattern,
    securityhub_findings_pattern,
)


@pytest.mark.parametrize(("min_severity", "score"), [("low", 1), ("medium", 4), ("high", 7), ("critical", 9)])
def test_guardduty_pattern_is_a_numeric_threshold(min_severity: str, score: int) -> None:
    assert guardduty_findings_pattern(min_severity) == {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", score]}]},
    }


@pytest.mark.parametrize(
    ("min_severity", "labels"),
    [
        ("low", ["LOW", "MEDIUM", "HIGH", "CRITICAL"]),
        ("medium", ["MEDIUM", "HIGH", "CRITICAL"]),
        ("high", ["HIGH", "CRITICAL"]),
        ("critical", ["CRITICAL"]),
    ],
)
def test_securityhub_pattern_lists_labels_from_the_threshold_up(min_severity: str, labels: list[str]) -> None:
    pattern = securityhub_findings_pattern(min_severity)
    assert pattern["source"] == ["aws.securityhub"]
    assert pattern["detail-type"] == ["Security Hub Findings - Imported"]
    assert pattern["detail"]["findings"] == {
        "Severity": {"Label": labels},
        "Workflow": {"Status": ["NEW"]},
        "RecordState": ["ACTIVE"],
    }


def test_securityhub_pattern_can_exclude_products_routed_on_their_own() -> None:
    findings = securityhub_findings_pattern("high", ("GuardDuty",))["detail"]["findings"]
    assert findings["ProductName"] == [{"anything-but": ["GuardDuty"]}]


@pytest.fixture
def topics(aws):
    sns = boto3.client("sns")
    return [sns.create_topic(Name=n)["TopicArn"] for n in ("alerts", "oncall")]


def _props(targets: dict, **overrides):
    props = {
        "name": "acme-findings",
        "event_bus_name": "default",
        "event_pattern": json.dumps(guardduty_findings_pattern("medium"), sort_keys=True),
        "description": "GuardDuty findings, medium and up",
        "enabled": True,
        "targets": targets,
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


def test_create_puts_rule_targets_and_tags(topics, region, account_id) -> None:
    events = boto3.client("events")

    result = EventBridgeRuleProvider().create(_props({"alerts": topics[0]}))

    arn = f"arn:aws:events:{region}:{account_id}:rule/acme-findings"
    assert (result.id, result.outs["arn"]) == (arn, arn)
    rule = events.describe_rule(Name="acme-findings")
    assert json.loads(rule["EventPattern"]) == guardduty_findings_pattern("medium")
    assert (rule["State"], rule["Description"]) == ("ENABLED", "GuardDuty findings, medium and up")
    targets = events.list_targets_by_rule(Rule="acme-findings")["Targets"]
    assert [(t["Id"], t["Arn"]) for t in targets] == [("alerts", topics[0])]
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "provision:plan", "Value": "acme"}]


def test_read_reflects_drift_but_not_pattern_formatting(topics) -> None:
    events = boto3.client("events")
    props = _props({"alerts": topics[0]})
    created = EventBridgeRuleProvider().create(props)
    events.disable_rule(Name="acme-findings")
    events.put_targets(Rule="acme-findings", Targets=[{"Id": "sneaky", "Arn": topics[1]}])

    outs = EventBridgeRuleProvider().read(created.id, created.outs).outs

    assert outs["enabled"] is False
    assert outs["targets"] == {"alerts": topics[0], "sneaky": topics[1]}
    assert outs["event_pattern"] == props["event_pattern"]
    assert outs["tags"] == {"provision:plan": "acme"}


def test_diff_name_or_bus_replaces_pattern_and_targets_update(topics) -> None:
    provider = EventBridgeRuleProvider()
    old = {**_props({"alerts": topics[0]}), "arn": "a"}

    assert provider.diff("a", old, _props({"alerts": topics[0]}, name="other")).replaces == ["name"]
    assert provider.diff("a", old, _props({"alerts": topics[0]}, event_bus_name="bus")).replaces == ["event_bus_name"]
    pattern = json.dumps(guardduty_findings_pattern("high"), sort_keys=True)
    changed = provider.diff("a", old, _props({"oncall": topics[1]}, event_pattern=pattern))
    assert changed.changes and changed.replaces == []


def test_update_pattern_targets_state_and_tags(topics) -> None:
    events = boto3.client("events")
    provider = EventBridgeRuleProvider()
    created = provider.create(_props({"alerts": topics[0]}))
    pattern = json.dumps(guardduty_findings_pattern("critical"), sort_keys=True)

    provider.update(
        created.id, created.outs, _props({"oncall": topics[1]}, event_pattern=pattern, enabled=False, tags={"t": "1"})
    )

    outs = provider.read(created.id, created.outs).outs
    assert json.loads(outs["event_pattern"]) == guardduty_findings_pattern("critical")
    assert (outs["enabled"], outs["targets"], outs["tags"]) == (False, {"oncall": topics[1]}, {"t": "1"})
    assert events.describe_rule(Name="acme-findings")["State"] == "DISABLED"


def test_delete_removes_targets_then_rule_and_is_idempotent(topics) -> None:
    events = boto3.client("events")
    provider = EventBridgeRuleProvider()
    created = provider.create(_props({"alerts": topics[0]}))

    provider.delete(created.id, created.outs)

    assert events.list_rules()["Rules"] == []
    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_an_invalid_pattern_is_named_with_its_error_code(aws) -> None:
    with pytest.raises(ProviderError) as exc:
        EventBridgeRuleProvider().create(_props({}, event_pattern='{"source": "aws.guardduty"}'))
    assert str(exc.value) == (
        "EventBridge rule acme-findings: PutRule: InvalidEventPatternException: "
        "Event pattern is not valid. Reason: 'source' must be an object or an array"
    )
