"""The EventBridge gap fill: PutEvents delivers to SNS topic targets, and patterns match inside arrays."""

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
        self.events, self.sns, self.sqs = make("events"), make("sns"), make("sqs")
        self.topic_arn = self.sns.create_topic(Name="alerts")["TopicArn"]
        self.queue_url = self.sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.sns.subscribe(
            TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
        )

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


def test_through_a_threaded_moto_server(moto_endpoint: str) -> None:
    routing = Routing(moto_endpoint)
    routing.rule(GUARDDUTY_MEDIUM_UP)

    assert routing.put("aws.guardduty", {"severity": 8.5})["FailedEntryCount"] == 0
    (body,) = routing.received()
    assert json.loads(body)["detail"] == {"severity": 8.5}
