"""GuardDuty sample findings and Security Hub imports: their API shapes, errors and EventBridge events."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.stacks.sandbox import gaps

REGION = "eu-west-1"
ACCOUNT = "123456789012"
PRODUCT = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"


@pytest.fixture
def aws(gap_env):
    gaps.install()
    with mock_aws():
        make = lambda service: boto3.client(service, region_name=REGION)  # noqa: E731
        clients = {s: make(s) for s in ("guardduty", "securityhub", "events", "sqs")}
        # Every event on the default bus lands in a queue (an SQS target needs no policy in moto).
        url = clients["sqs"].create_queue(QueueName="bus")["QueueUrl"]
        arn = clients["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        clients["events"].put_rule(Name="all", EventPattern=json.dumps({"source": ["aws.guardduty", "aws.securityhub"]}))
        clients["events"].put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn}])
        clients["bus"] = url
        yield clients


def _events(aws) -> list[dict]:
    messages = aws["sqs"].receive_message(QueueUrl=aws["bus"], MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def finding(**overrides) -> dict:
    return {
        "SchemaVersion": "2018-10-08",
        "Id": "probe-1",
        "ProductArn": PRODUCT,
        "GeneratorId": "provision-probe",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": "2026-12-02T12:00:00Z",
        "UpdatedAt": "2026-12-02T12:00:00Z",
        "Severity": {"Label": "HIGH"},
        "Title": "probe",
        "Description": "probe",
        "Resources": [{"Type": "Other", "Id": "probe"}],
        **overrides,
    }


def test_sample_finding_has_the_get_findings_shape_and_reaches_eventbridge(aws) -> None:
    gd = aws["guardduty"]
    detector = gd.create_detector(Enable=True)["DetectorId"]

    gd.create_sample_findings(DetectorId=detector, FindingTypes=["Backdoor:EC2/C&CActivity.B!DNS"])

    (finding_id,) = gd.list_findings(DetectorId=detector)["FindingIds"]
    (found,) = gd.get_findings(DetectorId=detector, FindingIds=[finding_id])["Findings"]
    assert (found["Type"], found["Severity"], found["AccountId"], found["Region"]) == (
        "Backdoor:EC2/C&CActivity.B!DNS", 8.0, ACCOUNT, REGION
    )
    assert found["Title"].startswith("[SAMPLE] ")
    assert found["Arn"] == f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{detector}/finding/{finding_id}"
    assert json.loads(found["Service"]["AdditionalInfo"]["Value"]) == {"sample": True}
    assert found["Service"]["Archived"] is False
    (event,) = _events(aws)
    assert (event["source"], event["detail-type"]) == ("aws.guardduty", "GuardDuty Finding")
    assert event["detail"]["id"] == finding_id and event["detail"]["severity"] == 8.0
    assert event["detail"]["service"]["additionalInfo"] == {"sample": True}


def test_no_finding_types_makes_one_sample_of_each(aws) -> None:
    gd = aws["guardduty"]
    detector = gd.create_detector(Enable=True)["DetectorId"]
    gd.create_sample_findings(DetectorId=detector)
    ids = gd.list_findings(DetectorId=detector)["FindingIds"]
    types = {f["Type"] for f in gd.get_findings(DetectorId=detector, FindingIds=ids)["Findings"]}
    assert len(ids) == len(types) == 10


def test_unknown_type_and_detector_are_bad_requests(aws) -> None:
    gd = aws["guardduty"]
    detector = gd.create_detector(Enable=True)["DetectorId"]
    with pytest.raises(ClientError) as bad_type:
        gd.create_sample_findings(DetectorId=detector, FindingTypes=["Made:Up/Type"])
    with pytest.raises(ClientError) as bad_detector:
        gd.create_sample_findings(DetectorId="0" * 32, FindingTypes=["Recon:EC2/PortProbeUnprotectedPort"])
    assert bad_type.value.response["Error"]["Code"] == "BadRequestException"
    assert bad_detector.value.response["Error"]["Code"] == "BadRequestException"
    assert _events(aws) == []


def test_archived_findings_leave_the_default_listing(aws) -> None:
    gd = aws["guardduty"]
    detector = gd.create_detector(Enable=True)["DetectorId"]
    gd.create_sample_findings(DetectorId=detector, FindingTypes=["Recon:EC2/PortProbeUnprotectedPort"])
    (finding_id,) = gd.list_findings(DetectorId=detector)["FindingIds"]

    gd.archive_findings(DetectorId=detector, FindingIds=[finding_id])

    archived = {"Criterion": {"service.archived": {"Equals": ["true"]}}}
    active = {"Criterion": {"service.archived": {"Equals": ["false"]}}}
    assert gd.list_findings(DetectorId=detector, FindingCriteria=archived)["FindingIds"] == [finding_id]
    assert gd.list_findings(DetectorId=detector, FindingCriteria=active)["FindingIds"] == []


def test_imported_finding_is_enriched_and_sent_to_eventbridge(aws) -> None:
    hub = aws["securityhub"]
    hub.enable_security_hub(EnableDefaultStandards=False)

    answer = hub.batch_import_findings(Findings=[finding(Severity={"Normalized": 75})])

    assert (answer["SuccessCount"], answer["FailedCount"]) == (1, 0)
    (event,) = _events(aws)
    assert (event["source"], event["detail-type"]) == ("aws.securityhub", "Security Hub Findings - Imported")
    (sent,) = event["detail"]["findings"]
    assert (sent["Id"], sent["ProductName"], sent["RecordState"], sent["Workflow"]) == (
        "probe-1", "Default", "ACTIVE", {"Status": "NEW"}
    )
    assert sent["Severity"] == {"Normalized": 75, "Label": "HIGH"}


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"AwsAccountId": "111122223333"}, id="other-account"),
        pytest.param({"ProductArn": f"arn:aws:securityhub:{REGION}::product/aws/guardduty"}, id="aws-product"),
        pytest.param({"Severity": {}}, id="no-severity"),
    ],
)
def test_invalid_findings_fail_alone(aws, bad: dict) -> None:
    hub = aws["securityhub"]
    hub.enable_security_hub(EnableDefaultStandards=False)
    broken = {k: v for k, v in finding(Id="bad", **bad).items() if v is not None}

    answer = hub.batch_import_findings(Findings=[broken, finding()])

    assert (answer["SuccessCount"], answer["FailedCount"]) == (1, 1)
    assert [(f["Id"], f["ErrorCode"]) for f in answer["FailedFindings"]] == [("bad", "InvalidInput")]
    assert [e["detail"]["findings"][0]["Id"] for e in _events(aws)] == ["probe-1"]


def test_import_needs_the_hub(aws) -> None:
    with pytest.raises(ClientError) as denied:
        aws["securityhub"].batch_import_findings(Findings=[finding()])
    assert denied.value.response["Error"]["Code"] == "InvalidAccessException"


def test_guardduty_findings_are_imported_when_the_hub_is_on(aws) -> None:
    aws["securityhub"].enable_security_hub(EnableDefaultStandards=False)
    detector = aws["guardduty"].create_detector(Enable=True)["DetectorId"]

    aws["guardduty"].create_sample_findings(DetectorId=detector, FindingTypes=["UnauthorizedAccess:EC2/TorClient"])

    events = sorted(_events(aws), key=lambda e: e["source"])
    assert [e["source"] for e in events] == ["aws.guardduty", "aws.securityhub"]
    (imported,) = events[1]["detail"]["findings"]
    assert (imported["ProductName"], imported["CompanyName"], imported["Severity"]["Label"]) == ("GuardDuty", "Amazon", "HIGH")
    assert imported["ProductArn"] == f"arn:aws:securityhub:{REGION}::product/aws/guardduty"
