"""The GuardDuty gap fill: publishing destinations and detector tags through boto3 on moto."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from provision.stacks.sandbox.gaps import guardduty as guardduty_gap

REGION = "eu-west-1"
ACCOUNT = "123456789012"
BUCKET = "acme-findings"


@pytest.fixture(autouse=True)
def _installed(gap_env) -> None:
    guardduty_gap.install()


def _clients(endpoint: str | None = None):
    return tuple(boto3.client(s, region_name=REGION, endpoint_url=endpoint) for s in ("guardduty", "s3", "kms"))


def _setup(guardduty, s3, kms) -> tuple[str, str]:
    """A detector, the findings bucket and a key; returns (detector id, key ARN)."""
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    return guardduty.create_detector(Enable=True)["DetectorId"], key_arn


@pytest.fixture
def aws():
    with mock_aws():
        clients = _clients()
        yield (*clients, *_setup(*clients))


def _error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _create(guardduty, detector_id: str, key_arn: str, destination: str = f"arn:aws:s3:::{BUCKET}/guardduty") -> str:
    return guardduty.create_publishing_destination(
        DetectorId=detector_id,
        DestinationType="S3",
        DestinationProperties={"DestinationArn": destination, "KmsKeyArn": key_arn},
        Tags={"team": "sec"},
    )["DestinationId"]


def test_create_describe_list(aws) -> None:
    guardduty, _, _, detector_id, key_arn = aws

    destination_id = _create(guardduty, detector_id, key_arn)

    described = guardduty.describe_publishing_destination(DetectorId=detector_id, DestinationId=destination_id)
    del described["ResponseMetadata"]
    assert described == {
        "DestinationId": destination_id,
        "DestinationType": "S3",
        "Status": "PUBLISHING",
        "PublishingFailureStartTimestamp": 0,
        "DestinationProperties": {"DestinationArn": f"arn:aws:s3:::{BUCKET}/guardduty", "KmsKeyArn": key_arn},
        "Tags": {"team": "sec"},
    }
    listed = guardduty.list_publishing_destinations(DetectorId=detector_id)["Destinations"]
    assert listed == [{"DestinationId": destination_id, "DestinationType": "S3", "Status": "PUBLISHING"}]


def test_update_changes_properties(aws) -> None:
    guardduty, _, kms, detector_id, key_arn = aws
    destination_id = _create(guardduty, detector_id, key_arn)
    other_key = kms.create_key()["KeyMetadata"]["Arn"]

    guardduty.update_publishing_destination(
        DetectorId=detector_id,
        DestinationId=destination_id,
        DestinationProperties={"DestinationArn": f"arn:aws:s3:::{BUCKET}", "KmsKeyArn": other_key},
    )

    properties = guardduty.describe_publishing_destination(DetectorId=detector_id, DestinationId=destination_id)[
        "DestinationProperties"
    ]
    assert properties == {"DestinationArn": f"arn:aws:s3:::{BUCKET}", "KmsKeyArn": other_key}


def test_delete_then_describe_is_bad_request(aws) -> None:
    guardduty, _, _, detector_id, key_arn = aws
    destination_id = _create(guardduty, detector_id, key_arn)

    guardduty.delete_publishing_destination(DetectorId=detector_id, DestinationId=destination_id)

    assert guardduty.list_publishing_destinations(DetectorId=detector_id)["Destinations"] == []
    for call in (guardduty.describe_publishing_destination, guardduty.delete_publishing_destination):
        with pytest.raises(ClientError) as exc:
            call(DetectorId=detector_id, DestinationId=destination_id)
        assert _error(exc) == (
            "BadRequestException",
            "The request is rejected because the input destinationId is not owned by the current account.",
            400,
        )


def test_deleting_the_detector_drops_its_destinations(aws) -> None:
    guardduty, _, _, detector_id, key_arn = aws
    _create(guardduty, detector_id, key_arn)
    guardduty.delete_detector(DetectorId=detector_id)

    with pytest.raises(ClientError) as exc:
        guardduty.list_publishing_destinations(DetectorId=detector_id)
    assert _error(exc)[0] == "BadRequestException"


@pytest.mark.parametrize(
    ("destination", "key", "message"),
    [
        ("arn:aws:s3:::no-such-bucket", "KEY", "The request failed because the S3 bucket no-such-bucket does not exist."),
        ("not-an-arn", "KEY", guardduty_gap.INVALID_VALUE),
        (f"arn:aws:s3:::{BUCKET}", "not-a-key", guardduty_gap.INVALID_VALUE),
        (
            f"arn:aws:s3:::{BUCKET}",
            f"arn:aws:kms:{REGION}:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000",
            f"The request failed because the KMS key arn:aws:kms:{REGION}:{ACCOUNT}:key/"
            "00000000-0000-0000-0000-000000000000 does not exist.",
        ),
    ],
)
def test_destination_must_exist(aws, destination: str, key: str, message: str) -> None:
    guardduty, _, _, detector_id, key_arn = aws
    with pytest.raises(ClientError) as exc:
        _create(guardduty, detector_id, key_arn if key == "KEY" else key, destination)
    assert _error(exc) == ("BadRequestException", message, 400)


def test_unknown_detector_is_bad_request(aws) -> None:
    guardduty, _, _, _, key_arn = aws
    with pytest.raises(ClientError) as exc:
        _create(guardduty, "0" * 32, key_arn)
    assert _error(exc) == (
        "BadRequestException",
        "The request is rejected because the input detectorId is not owned by the current account.",
        400,
    )


def test_a_second_detector_in_the_region_is_refused(aws) -> None:
    guardduty, *_ = aws
    with pytest.raises(ClientError) as exc:
        guardduty.create_detector(Enable=True)
    assert _error(exc) == ("BadRequestException", guardduty_gap.DETECTOR_EXISTS, 400)
    assert len(guardduty.list_detectors()["DetectorIds"]) == 1


def test_detector_tags_round_trip_and_show_in_get_detector(aws) -> None:
    guardduty, _, _, detector_id, _ = aws
    arn = f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{detector_id}"

    guardduty.tag_resource(ResourceArn=arn, Tags={"a": "1", "b": "2"})
    guardduty.untag_resource(ResourceArn=arn, TagKeys=["a"])

    assert guardduty.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"b": "2"}
    assert guardduty.get_detector(DetectorId=detector_id)["Tags"] == {"b": "2"}


def test_tags_of_an_unknown_detector_are_bad_request(aws) -> None:
    guardduty, *_ = aws
    with pytest.raises(ClientError) as exc:
        guardduty.list_tags_for_resource(ResourceArn=f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{'0' * 32}")
    assert _error(exc)[0::2] == ("BadRequestException", 400)


def test_through_a_threaded_moto_server(moto_endpoint: str) -> None:
    guardduty, s3, kms = clients = _clients(moto_endpoint)
    detector_id, key_arn = _setup(*clients)

    destination_id = _create(guardduty, detector_id, key_arn)
    described = guardduty.describe_publishing_destination(DetectorId=detector_id, DestinationId=destination_id)
    assert described["Status"] == "PUBLISHING"

    arn = f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{detector_id}"
    guardduty.tag_resource(ResourceArn=arn, Tags={"a": "1"})
    assert guardduty.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "1"}

    guardduty.delete_publishing_destination(DetectorId=detector_id, DestinationId=destination_id)
    with pytest.raises(ClientError) as exc:
        guardduty.describe_publishing_destination(DetectorId=detector_id, DestinationId=destination_id)
    assert _error(exc)[0::2] == ("BadRequestException", 400)
