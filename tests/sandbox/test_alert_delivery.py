"""Proof of alert delivery: findings reach an SQS queue through the encrypted alerts topic.

The key, topic policy and rules are the ones the security-monitoring function
deploys (its own policy builders and patterns); the sandbox enforces the topic
and key policies as AWS does. The oracle is the queue: it receives a GuardDuty
sample finding and a Security Hub finding, once each, or it does not.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from provision.stacks.functions.security_policies import security_key_policy
from provision.stacks.providers.eventbridge_rule import guardduty_findings_pattern, securityhub_findings_pattern
from provision.stacks.providers.sns_topic import topic_policy
from provision.stacks.sandbox import gaps

REGION = "eu-west-1"
ACCOUNT = "123456789012"
SERVICES = {"guardduty", "securityhub", "cloudtrail", "config"}


@pytest.fixture
def aws(gap_env):
    gaps.install()
    with mock_aws():
        yield {s: boto3.client(s, region_name=REGION) for s in ("kms", "sns", "sqs", "events", "guardduty", "securityhub")}


def _deploy_alerting(aws, key_policy: str) -> str:
    """What the security-monitoring function deploys for alerts; returns the subscribed queue URL."""
    key_arn = aws["kms"].create_key(Policy=key_policy)["KeyMetadata"]["Arn"]
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
    aws["sns"].create_topic(
        Name="alerts",
        Attributes={"KmsMasterKeyId": key_arn, "Policy": json.dumps(topic_policy(topic_arn, ["events.amazonaws.com"]))},
    )
    url = aws["sqs"].create_queue(QueueName="soc")["QueueUrl"]
    queue_arn = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws["sns"].subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    rules = {
        "guardduty": guardduty_findings_pattern("medium"),
        "securityhub": securityhub_findings_pattern("medium", ("GuardDuty",)),
    }
    for name, pattern in rules.items():
        aws["events"].put_rule(Name=name, EventPattern=json.dumps(pattern))
        aws["events"].put_targets(Rule=name, Targets=[{"Id": "alerts", "Arn": topic_arn}])
    return url


def _raise_findings(aws) -> None:
    detector = aws["guardduty"].create_detector(Enable=True)["DetectorId"]
    aws["securityhub"].enable_security_hub(EnableDefaultStandards=False)
    aws["guardduty"].create_sample_findings(DetectorId=detector, FindingTypes=["Backdoor:EC2/C&CActivity.B!DNS"])
    answer = aws["securityhub"].batch_import_findings(Findings=[{
        "SchemaVersion": "2018-10-08",
        "Id": "soc-probe",
        "ProductArn": f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default",
        "GeneratorId": "soc-probe",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": "2026-12-02T12:00:00Z",
        "UpdatedAt": "2026-12-02T12:00:00Z",
        "Severity": {"Label": "HIGH"},
        "Title": "SOC paging probe",
        "Description": "SOC paging probe",
        "Resources": [{"Type": "Other", "Id": "soc-probe"}],
    }])
    assert answer["SuccessCount"] == 1


def _received(aws, url: str) -> list[tuple[str, str]]:
    messages = aws["sqs"].receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    events = [json.loads(m["Body"]) for m in messages]
    return sorted(
        (e["detail-type"], e["detail"]["type"] if e["source"] == "aws.guardduty" else e["detail"]["findings"][0]["Id"])
        for e in events
    )


EXPECTED = [("GuardDuty Finding", "Backdoor:EC2/C&CActivity.B!DNS"), ("Security Hub Findings - Imported", "soc-probe")]


def test_the_deployed_key_policy_lets_alerts_through(aws) -> None:
    """Fails while `security_key_policy` grants EventBridge the key only under aws:SourceAccount."""
    url = _deploy_alerting(aws, security_key_policy(ACCOUNT, SERVICES, None))
    _raise_findings(aws)
    assert _received(aws, url) == EXPECTED


def test_the_documented_key_policy_lets_alerts_through(aws) -> None:
    """The form AWS documents for EventBridge targets: no aws:Source* condition on the key grant."""
    policy = json.loads(security_key_policy(ACCOUNT, SERVICES, None))
    policy["Statement"].append({
        "Sid": "EventBridgeEncryptedTopic",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
    })
    url = _deploy_alerting(aws, json.dumps(policy))
    _raise_findings(aws)
    assert _received(aws, url) == EXPECTED
