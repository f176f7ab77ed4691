"""GuardDutyDetectorProvider against moto (publishing destinations come from the sandbox gap fill)."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.guardduty_detector import GuardDutyDetectorProvider

BUCKET = "acme-findings"


@pytest.fixture
def setup(aws, region):
    """The findings bucket and two KMS keys; returns (guardduty client, key ARN, other key ARN)."""
    boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
    kms = boto3.client("kms")
    keys = [kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2)]
    return boto3.client("guardduty"), *keys


def _props(key_arn: str, **overrides):
    props = {
        "enable": True,
        "finding_publishing_frequency": "FIFTEEN_MINUTES",
        "features": {"S3_DATA_EVENTS": True, "EKS_AUDIT_LOGS": False},
        "destination_arn": f"arn:aws:s3:::{BUCKET}/guardduty",
        "destination_kms_key_arn": key_arn,
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


def test_create_enables_detector_with_destination_and_tags(setup, region, account_id) -> None:
    guardduty, key_arn, _ = setup

    result = GuardDutyDetectorProvider().create(_props(key_arn))

    detector = guardduty.get_detector(DetectorId=result.id)
    assert (detector["Status"], detector["FindingPublishingFrequency"]) == ("ENABLED", "FIFTEEN_MINUTES")
    assert {f["Name"]: f["Status"] for f in detector["Features"]} == {
        "EKS_AUDIT_LOGS": "DISABLED",
        "S3_DATA_EVENTS": "ENABLED",
    }
    assert detector["Tags"] == {"provision:plan": "acme"}
    assert result.outs["detector_id"] == result.id
    assert result.outs["arn"] == f"arn:aws:guardduty:{region}:{account_id}:detector/{result.id}"
    destination = guardduty.describe_publishing_destination(
        DetectorId=result.id, DestinationId=result.outs["destination_id"]
    )
    assert destination["DestinationProperties"] == {
        "DestinationArn": f"arn:aws:s3:::{BUCKET}/guardduty",
        "KmsKeyArn": key_arn,
    }


def test_read_reflects_drift(setup) -> None:
    guardduty, key_arn, _ = setup
    props = _props(key_arn)
    created = GuardDutyDetectorProvider().create(props)
    guardduty.update_detector(
        DetectorId=created.id, Enable=False, FindingPublishingFrequency="SIX_HOURS",
        Features=[{"Name": "S3_DATA_EVENTS", "Status": "DISABLED"}, {"Name": "RDS_LOGIN_EVENTS", "Status": "ENABLED"}],
    )
    guardduty.delete_publishing_destination(DetectorId=created.id, DestinationId=created.outs["destination_id"])

    outs = GuardDutyDetectorProvider().read(created.id, created.outs).outs

    assert outs["enable"] is False
    assert outs["finding_publishing_frequency"] == "SIX_HOURS"
    # Only the features the plan manages are tracked.
    assert outs["features"] == {"S3_DATA_EVENTS": False}
    assert (outs["destination_arn"], outs["destination_kms_key_arn"], outs["destination_id"]) == (None, None, None)


def test_diff_never_replaces_a_detector(setup) -> None:
    _, key_arn, other_key = setup
    provider = GuardDutyDetectorProvider()
    old = {**_props(key_arn), "detector_id": "d", "arn": "a", "destination_id": "x"}

    changed = provider.diff("d", old, _props(other_key, finding_publishing_frequency="ONE_HOUR", tags={}))

    assert changed.changes and changed.replaces == []
    assert not provider.diff("d", old, _props(key_arn)).changes


def test_update_settings_destination_and_tags(setup) -> None:
    guardduty, key_arn, other_key = setup
    provider = GuardDutyDetectorProvider()
    created = provider.create(_props(key_arn))

    updated = provider.update(
        created.id,
        created.outs,
        _props(other_key, finding_publishing_frequency="ONE_HOUR", features={"S3_DATA_EVENTS": False}, tags={"team": "sec"}),
    )

    assert updated.outs["destination_id"] == created.outs["destination_id"]
    outs = provider.read(created.id, updated.outs).outs
    assert outs["finding_publishing_frequency"] == "ONE_HOUR"
    assert outs["features"] == {"S3_DATA_EVENTS": False}
    assert outs["destination_kms_key_arn"] == other_key
    assert outs["tags"] == {"team": "sec"}


def test_update_removes_and_adds_the_destination(setup) -> None:
    guardduty, key_arn, _ = setup
    provider = GuardDutyDetectorProvider()
    created = provider.create(_props(key_arn))

    without = provider.update(created.id, created.outs, _props(key_arn, destination_arn=None, destination_kms_key_arn=None))
    assert without.outs["destination_id"] is None
    assert guardduty.list_publishing_destinations(DetectorId=created.id)["Destinations"] == []

    again = provider.update(created.id, without.outs, _props(key_arn))
    assert [d["DestinationId"] for d in guardduty.list_publishing_destinations(DetectorId=created.id)["Destinations"]] == [
        again.outs["destination_id"]
    ]


def test_delete_then_read_is_none_and_delete_again_is_fine(setup) -> None:
    guardduty, key_arn, _ = setup
    provider = GuardDutyDetectorProvider()
    created = provider.create(_props(key_arn))

    provider.delete(created.id, created.outs)

    assert guardduty.list_detectors()["DetectorIds"] == []
    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_a_refused_destination_names_the_error_and_rolls_back(setup) -> None:
    guardduty, key_arn, _ = setup

    with pytest.raises(ProviderError) as exc:
        GuardDutyDetectorProvider().create(_props(key_arn, destination_arn="arn:aws:s3:::no-such-bucket"))

    assert str(exc.value).endswith(
        ": CreatePublishingDestination: BadRequestException: "
        "The request failed because the S3 bucket no-such-bucket does not exist."
    )
    assert guardduty.list_detectors()["DetectorIds"] == []


def test_a_landing_zone_detector_is_adopted_with_our_export_added_and_survives_destroy(setup) -> None:
    guardduty, key_arn, _ = setup
    theirs = guardduty.create_detector(Enable=True, FindingPublishingFrequency="SIX_HOURS", Tags={"owner": "lz"})["DetectorId"]
    before = guardduty.get_detector(DetectorId=theirs)
    provider = GuardDutyDetectorProvider()

    created = provider.create(_props(key_arn))

    assert (created.id, created.outs["adopted"]) == (theirs, True)
    assert guardduty.list_detectors()["DetectorIds"] == [theirs]
    after = guardduty.get_detector(DetectorId=theirs)
    # Their settings and tags stay; only the plan's findings export is added.
    assert (after["FindingPublishingFrequency"], after["Tags"]) == ("SIX_HOURS", {"owner": "lz"})
    (destination,) = guardduty.list_publishing_destinations(DetectorId=theirs)["Destinations"]
    assert destination["DestinationId"] == created.outs["destination_id"]
    assert provider.read(created.id, created.outs).outs == created.outs

    provider.delete(created.id, created.outs)

    # The detector (and its findings history) stays, exactly as it was; our export is gone.
    assert guardduty.list_detectors()["DetectorIds"] == [theirs]
    assert guardduty.get_detector(DetectorId=theirs)["Status"] == before["Status"] == "ENABLED"
    assert guardduty.list_publishing_destinations(DetectorId=theirs)["Destinations"] == []


def test_an_adopted_detector_keeps_its_own_export(setup) -> None:
    guardduty, key_arn, other_key = setup
    theirs = guardduty.create_detector(Enable=True)["DetectorId"]
    guardduty.create_publishing_destination(
        DetectorId=theirs,
        DestinationType="S3",
        DestinationProperties={"DestinationArn": f"arn:aws:s3:::{BUCKET}/lz/", "KmsKeyArn": other_key},
    )
    provider = GuardDutyDetectorProvider()

    created = provider.create(_props(key_arn))
    provider.delete(created.id, created.outs)

    (destination,) = guardduty.list_publishing_destinations(DetectorId=theirs)["Destinations"]
    properties = guardduty.describe_publishing_destination(DetectorId=theirs, DestinationId=destination["DestinationId"])
    assert properties["DestinationProperties"] == {"DestinationArn": f"arn:aws:s3:::{BUCKET}/lz/", "KmsKeyArn": other_key}
    assert guardduty.list_detectors()["DetectorIds"] == [theirs]
