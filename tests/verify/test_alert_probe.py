"""`verify --probe-alerts`: the probe's verdicts follow what reaches the alerts topic, and it cleans up.

The alerting of examples/saas-startup.yaml's `soc` function is deployed on
in-process moto with the sandbox's strict EventBridge delivery; the oracle is
whether findings can really pass the key policy (an explicit grant or not),
and the live API after the probe (queues, subscriptions, archived findings).
"""

from __future__ import annotations

import json

import boto3
import pytest

from provision.stacks.functions.security_policies import security_key_policy
from provision.stacks.providers.eventbridge_rule import guardduty_findings_pattern, securityhub_findings_pattern
from provision.stacks.providers.sns_topic import topic_policy
from provision.stacks.verify.alert_probe import probe_alerts

REGION = "eu-west-1"
ACCOUNT = "123456789012"
EVENTS_MAY_USE_KEY = {
    "Sid": "EventBridgeEncryptedTopic",
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
}


def clients(service: str, region: str | None = None):
    return boto3.client(service, region_name=region or REGION)


def deploy_soc(grant_events: bool) -> dict:
    """The soc function's alerting, as deployed; returns the stack outputs the probe reads.

    The security key policy grants EventBridge the key; without `grant_events`
    no statement lets events.amazonaws.com use it, so KMS refuses the deliveries.
    """
    policy = json.loads(security_key_policy(ACCOUNT, {"guardduty", "securityhub"}, None))
    policy["Statement"] = [s for s in policy["Statement"] if s.get("Principal") != {"Service": "events.amazonaws.com"}]
    if grant_events:
        policy["Statement"].append(EVENTS_MAY_USE_KEY)
    key_arn = clients("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:soc-alerts"
    clients("sns").create_topic(Name="soc-alerts", Attributes={
        "KmsMasterKeyId": key_arn, "Policy": json.dumps(topic_policy(topic_arn, ["events.amazonaws.com"]))})
    for name, pattern in {"gd": guardduty_findings_pattern("medium"),
                          "sh": securityhub_findings_pattern("medium", ("GuardDuty",))}.items():
        clients("events").put_rule(Name=name, EventPattern=json.dumps(pattern))
        clients("events").put_targets(Rule=name, Targets=[{"Id": "alerts", "Arn": topic_arn}])
    detector = clients("guardduty").create_detector(Enable=True)["DetectorId"]
    clients("securityhub").enable_security_hub(EnableDefaultStandards=False)
    return {"soc": {"alerts_topic_arn": topic_arn, "detector_id": detector}}


def verdicts(results) -> dict[str, bool]:
    return {r.check: r.passed for r in results}


def test_alerts_that_reach_the_topic_pass(aws, plan) -> None:
    outputs = deploy_soc(grant_events=True)

    results = probe_alerts(plan, outputs, clients, ACCOUNT, timeout=5)

    assert verdicts(results) == {"alerts.guardduty-delivered": True, "alerts.securityhub-delivered": True}


def test_alerts_the_key_policy_stops_fail(aws, plan) -> None:
    outputs = deploy_soc(grant_events=False)

    results = probe_alerts(plan, outputs, clients, ACCOUNT, timeout=1)

    assert verdicts(results) == {"alerts.guardduty-delivered": False, "alerts.securityhub-delivered": False}
    assert all("did not arrive within 1s" in r.detail for r in results)


@pytest.mark.parametrize("grant_events", [True, False])
def test_the_probe_leaves_nothing_behind(aws, plan, grant_events: bool) -> None:
    outputs = deploy_soc(grant_events)
    detector = outputs["soc"]["detector_id"]

    probe_alerts(plan, outputs, clients, ACCOUNT, timeout=1)

    assert clients("sqs").list_queues().get("QueueUrls", []) == []
    assert clients("sns").list_subscriptions_by_topic(TopicArn=outputs["soc"]["alerts_topic_arn"])["Subscriptions"] == []
    active = {"Criterion": {"service.archived": {"Equals": ["false"]}}}
    assert clients("guardduty").list_findings(DetectorId=detector, FindingCriteria=active)["FindingIds"] == []
    hub_findings = clients("securityhub").get_findings()["Findings"]
    assert [(f["GeneratorId"], f["RecordState"]) for f in hub_findings if f["GeneratorId"] == "provision-alert-probe"] == [
        ("provision-alert-probe", "ARCHIVED")
    ]


def test_a_probe_that_cannot_run_is_a_failed_check_not_a_crash(aws, plan) -> None:
    outputs = {"soc": {"alerts_topic_arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:missing", "detector_id": "0" * 32}}

    (result,) = probe_alerts(plan, outputs, clients, ACCOUNT, timeout=1)

    assert (result.check, result.passed) == ("alerts.probe", False)
    assert "the probe itself failed" in result.detail
    assert clients("sqs").list_queues().get("QueueUrls", []) == []
