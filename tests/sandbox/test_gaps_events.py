"""The EventBridge gap fill: PutEvents delivers to SNS topic targets, and patterns match inside arrays.

Delivery needs what AWS needs: a topic policy letting events.amazonaws.com
publish and, for an encrypted topic, a key policy letting it use the key.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from provision.stacks.sandbox.gaps import events as events_gap

REGION = "eu-west-1"
ACCOUNT = "123456789012"
GUARDDUTY_MEDIUM_UP = {"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 4]}]}}
SECURITYHUB_HIGH_UP = {
    "source": ["aws.securityhub"],
    "detail-type": ["Security Hub Findings - Imported"],
    "detail": {"findings": {"Severity": {"Label": ["HIGH", "CRITICAL"]}}},
}


@pytest.fixture(autouse=True)
def _installed(gap_env) -> None:
    events_gap.install()


class Routing:
    """A topic with a raw-delivery SQS subscriber, so tests can read what SNS published."""

    def __init__(self, endpoint: str | None = None) -> None:
        make = lambda service: boto3.client(service, region_name=REGION, endpoint_url=endpoint)  # noqa: E731
        self.events, self.sns, self.sqs, self.kms = make("events"), make("sns"), make("sqs"), make("kms")
        self.topic_arn = self.sns.create_topic(Name="alerts")["TopicArn"]
        self.queue_url = self.sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.sns.subscribe(
            TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
        )
        self.allow_events_to_publish()
        self.cloudwatch = make("cloudwatch")

    def allow_events_to_publish(self, condition: dict | None = None) -> None:
        """The topic policy AWS documents for an EventBridge target (the console adds it)."""
        statement = {
            "Sid": "EventBridgePublish",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": self.topic_arn,
        }
        if condition is not None:
            statement["Condition"] = condition
        policy = {"Version": "2012-10-17", "Statement": [statement]}
        self.sns.set_topic_attributes(TopicArn=self.topic_arn, AttributeName="Policy", AttributeValue=json.dumps(policy))

    def encrypt_with(self, key_policy: dict) -> str:
        key_arn = self.kms.create_key(
            Policy=json.dumps(key_policy)
        )["KeyMetadata"]["Arn"]
        self.sns.set_topic_attributes(TopicArn=self.topic_arn, AttributeName="KmsMasterKeyId", AttributeValue=key_arn)
        return key_arn

    def metric(self, name: str, rule: str = "findings") -> float:
        import datetime as dt

        now = dt.datetime.now(dt.timezone.utc)
        points = self.cloudwatch.get_metric_statistics(
            Namespace="AWS/Events",
            MetricName=name,
            Dimensions=[{"Name": "RuleName", "Value": rule}],
            StartTime=now - dt.timedelta(minutes=5),
            EndTime=now + dt.timedelta(minutes=5),
            Period=600,
            Statistics=["Sum"],
        )["Datapoints"]
        return sum(p["Sum"] for p in points)

    def rule(self, pattern: dict, *targets: dict) -> None:
        self.events.put_rule(Name="findings", EventPattern=json.dumps(pattern))
        self.events.put_targets(Rule="findings", Targets=list(targets) or [{"Id": "sns", "Arn": self.topic_arn}])

    def put(self, source: str, detail: dict, detail_type: str = "GuardDuty Finding") -> dict:
        return self.events.put_events(
            Entries=[{"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}]
        )

    def received(self) -> list[str]:
        messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [m["Body"] for m in messages]


@pytest.fixture
def routing():
    with mock_aws():
        yield Routing()


def test_matching_event_is_published_to_the_topic_as_event_json(routing: Routing) -> None:
    routing.rule(GUARDDUTY_MEDIUM_UP)

    answer = routing.put("aws.guardduty", {"severity": 5.0, "type": "Recon:EC2/PortProbeUnprotectedPort"})

    assert answer["FailedEntryCount"] == 0
    (body,) = routing.received()
    event = json.loads(body)
    assert event["id"] == answer["Entries"][0]["EventId"]
    assert (event["source"], event["detail-type"], event["account"], event["region"]) == (
        "aws.guardduty",
        "GuardDuty Finding",
        ACCOUNT,
        REGION,
    )
    assert event["detail"] == {"severity": 5.0, "type": "Recon:EC2/PortProbeUnprotectedPort"}
    assert event["time"].endswith("Z") and "T" in event["time"]
    assert "ingestion-time" not in event


@pytest.mark.parametrize(("severity", "delivered"), [(3.9, 0), (4, 1), (8.9, 1)])
def test_numeric_severity_threshold(routing: Routing, severity: float, delivered: int) -> None:
    routing.rule(GUARDDUTY_MEDIUM_UP)
    routing.put("aws.guardduty", {"severity": severity})
    assert len(routing.received()) == delivered


@pytest.mark.parametrize(
    ("labels", "delivered"),
    [(["LOW"], 0), (["HIGH"], 1), (["LOW", "CRITICAL"], 1), (["MEDIUM", "INFORMATIONAL"], 0)],
)
def test_security_hub_label_matches_inside_the_findings_array(
    routing: Routing, labels: list[str], delivered: int
) -> None:
    routing.rule(SECURITYHUB_HIGH_UP)
    findings = [{"Id": str(i), "Severity": {"Label": label}} for i, label in enumerate(labels)]
    routing.put("aws.securityhub", {"findings": findings}, "Security Hub Findings - Imported")
    assert len(routing.received()) == delivered


def test_sns_and_other_targets_are_both_delivered(routing: Routing) -> None:
    other_url = routing.sqs.create_queue(QueueName="direct")["QueueUrl"]
    other_arn = routing.sqs.get_queue_attributes(QueueUrl=other_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    routing.rule(GUARDDUTY_MEDIUM_UP, {"Id": "sns", "Arn": routing.topic_arn}, {"Id": "sqs", "Arn": other_arn})

    routing.put("aws.guardduty", {"severity": 7})

    assert len(routing.received()) == 1
    assert len(routing.sqs.receive_message(QueueUrl=other_url).get("Messages", [])) == 1
    assert [t["Id"] for t in routing.events.list_targets_by_rule(Rule="findings")["Targets"]] == ["sns", "sqs"]


def test_constant_input_and_input_transformer(routing: Routing) -> None:
    routing.rule(
        GUARDDUTY_MEDIUM_UP,
        {"Id": "constant", "Arn": routing.topic_arn, "Input": '{"alert": "guardduty"}'},
        {
            "Id": "shaped",
            "Arn": routing.topic_arn,
            "InputTransformer": {
                "InputPathsMap": {"severity": "$.detail.severity"},
                "InputTemplate": '{"severity": <severity>}',
            },
        },
    )

    routing.put("aws.guardduty", {"severity": 8})

    assert sorted(routing.received()) == ['{"alert": "guardduty"}', '{"severity": 8}']


def test_a_missing_topic_is_a_silent_delivery_failure(routing: Routing) -> None:
    routing.rule(GUARDDUTY_MEDIUM_UP, {"Id": "gone", "Arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:deleted"})
    assert routing.put("aws.guardduty", {"severity": 9})["FailedEntryCount"] == 0
    assert (routing.metric("Invocations"), routing.metric("FailedInvocations")) == (1, 1)


def _key_policy(*statements: dict) -> dict:
    admin = {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
             "Action": "kms:*", "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [admin, *statements]}


EVENTS_USE_KEY = {
    "Sid": "EventBridgeUse",
    "Effect": "Allow",
    "Principal": {"Service": "events.amazonaws.com"},
    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
    "Resource": "*",
}


def test_the_default_topic_policy_refuses_eventbridge(routing: Routing) -> None:
    routing.sns.set_topic_attributes(TopicArn=routing.topic_arn, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish",
                       "Resource": routing.topic_arn, "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}}],
    }))
    routing.rule(GUARDDUTY_MEDIUM_UP)

    assert routing.put("aws.guardduty", {"severity": 9})["FailedEntryCount"] == 0

    assert routing.received() == []
    assert routing.metric("FailedInvocations") == 1


@pytest.mark.parametrize(
    ("condition", "delivered"),
    [
        ({"ArnEquals": {"aws:SourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/findings"}}, True),
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, True),
        ({"ArnEquals": {"aws:SourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/other"}}, False),
        ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, False),
    ],
)
def test_topic_policy_conditions_see_the_rule_and_account(routing: Routing, condition: dict, delivered: bool) -> None:
    routing.allow_events_to_publish(condition)
    routing.rule(GUARDDUTY_MEDIUM_UP)
    routing.put("aws.guardduty", {"severity": 9})
    assert len(routing.received()) == (1 if delivered else 0)
    assert routing.metric("FailedInvocations") == (0 if delivered else 1)


def test_encrypted_topic_delivers_when_the_key_policy_lets_eventbridge_use_the_key(routing: Routing) -> None:
    routing.encrypt_with(_key_policy(EVENTS_USE_KEY))
    routing.rule(GUARDDUTY_MEDIUM_UP)

    routing.put("aws.guardduty", {"severity": 9})

    assert len(routing.received()) == 1
    assert (routing.metric("Invocations"), routing.metric("FailedInvocations")) == (1, 0)


@pytest.mark.parametrize(
    "key_statements",
    [
        pytest.param([], id="no-statement-for-eventbridge"),
        # AWS: aws:SourceAccount, aws:SourceArn and aws:SourceOrgID are not supported here.
        pytest.param([{**EVENTS_USE_KEY, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}], id="source-account"),
        pytest.param(
            [{**EVENTS_USE_KEY, "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/*"}}}],
            id="source-arn",
        ),
        pytest.param([{**EVENTS_USE_KEY, "Action": ["kms:Decrypt"]}], id="no-generate-data-key"),
        pytest.param([EVENTS_USE_KEY, {**EVENTS_USE_KEY, "Sid": "Deny", "Effect": "Deny"}], id="explicit-deny"),
    ],
)
def test_encrypted_topic_refuses_eventbridge_without_an_unconditioned_key_grant(
    routing: Routing, key_statements: list[dict]
) -> None:
    routing.encrypt_with(_key_policy(*key_statements))
    routing.rule(GUARDDUTY_MEDIUM_UP)

    assert routing.put("aws.guardduty", {"severity": 9})["FailedEntryCount"] == 0

    assert routing.received() == []
    assert (routing.metric("Invocations"), routing.metric("FailedInvocations")) == (1, 1)


def test_a_disabled_key_fails_delivery(routing: Routing) -> None:
    key_arn = routing.encrypt_with(_key_policy(EVENTS_USE_KEY))
    routing.kms.disable_key(KeyId=key_arn.rsplit("/", 1)[1])
    routing.rule(GUARDDUTY_MEDIUM_UP)
    routing.put("aws.guardduty", {"severity": 9})
    assert routing.received() == []
    assert routing.metric("FailedInvocations") == 1


def test_through_a_threaded_moto_server(moto_endpoint: str) -> None:
    routing = Routing(moto_endpoint)
    routing.rule(GUARDDUTY_MEDIUM_UP)

    assert routing.put("aws.guardduty", {"severity": 8.5})["FailedEntryCount"] == 0
    (body,) = routing.received()
    assert json.loads(body)["detail"] == {"severity": 8.5}
