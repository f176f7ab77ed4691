"""CloudTrailTrailProvider against moto: lifecycle, drift on refresh, errors."""

from __future__ import annotations

import boto3
import pytest

from provision.stacks.providers.base import ProviderError
from provision.stacks.providers.cloudtrail_trail import CloudTrailTrailProvider

BUCKET = "acme-trail"


@pytest.fixture
def setup(aws, region):
    """The trail bucket and a KMS key; returns (cloudtrail client, key ARN)."""
    boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
    return boto3.client("cloudtrail"), boto3.client("kms").create_key()["KeyMetadata"]["Arn"]


def _props(key_arn: str | None, **overrides):
    props = {
        "name": "acme-trail",
        "s3_bucket_name": BUCKET,
        "s3_key_prefix": "cloudtrail",
        "is_multi_region": True,
        "enable_log_file_validation": True,
        "kms_key_id": key_arn,
        "include_global_service_events": True,
        "logging": True,
        "tags": {"provision:plan": "acme"},
    }
    return {**props, **overrides}


def test_create_makes_a_logging_multi_region_validated_encrypted_trail(setup, region, account_id) -> None:
    cloudtrail, key_arn = setup

    result = CloudTrailTrailProvider().create(_props(key_arn))

    arn = f"arn:aws:cloudtrail:{region}:{account_id}:trail/acme-trail"
    assert result.id == arn
    assert (result.outs["arn"], result.outs["home_region"]) == (arn, region)
    trail = cloudtrail.get_trail(Name=arn)["Trail"]
    assert (trail["IsMultiRegionTrail"], trail["LogFileValidationEnabled"], trail["IncludeGlobalServiceEvents"]) == (
        True,
        True,
        True,
    )
    assert (trail["KmsKeyId"], trail["S3BucketName"], trail["S3KeyPrefix"]) == (key_arn, BUCKET, "cloudtrail")
    assert cloudtrail.get_trail_status(Name=arn)["IsLogging"] is True
    tags = cloudtrail.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"]
    assert tags == [{"Key": "provision:plan", "Value": "acme"}]


def test_read_reports_stopped_logging_validation_region_and_kms_drift(setup) -> None:
    cloudtrail, key_arn = setup
    created = CloudTrailTrailProvider().create(_props(key_arn))
    cloudtrail.stop_logging(Name="acme-trail")
    cloudtrail.update_trail(Name="acme-trail", EnableLogFileValidation=False, IsMultiRegionTrail=False, KmsKeyId="")

    outs = CloudTrailTrailProvider().read(created.id, created.outs).outs

    assert (outs["logging"], outs["enable_log_file_validation"], outs["is_multi_region"], outs["kms_key_id"]) == (
        False,
        False,
        False,
        None,
    )
    assert outs["tags"] == {"provision:plan": "acme"}


def test_diff_name_replaces_settings_update(setup) -> None:
    _, key_arn = setup
    provider = CloudTrailTrailProvider()
    old = {**_props(key_arn), "arn": "a", "home_region": "r"}

    assert provider.diff("a", old, _props(key_arn, name="other")).replaces == ["name"]
    changed = provider.diff("a", old, _props(None, logging=False))
    assert changed.changes and changed.replaces == []
    assert not provider.diff("a", old, _props(key_arn)).changes


def test_update_restores_settings_logging_and_tags(setup) -> None:
    cloudtrail, key_arn = setup
    provider = CloudTrailTrailProvider()
    created = provider.create(_props(None, logging=False, enable_log_file_validation=False))

    updated = provider.update(created.id, created.outs, _props(key_arn, s3_key_prefix=None, tags={"team": "sec"}))

    outs = provider.read(created.id, updated.outs).outs
    assert (outs["logging"], outs["enable_log_file_validation"], outs["kms_key_id"], outs["s3_key_prefix"]) == (
        True,
        True,
        key_arn,
        None,
    )
    assert outs["tags"] == {"team": "sec"}


def test_update_can_stop_logging(setup) -> None:
    cloudtrail, key_arn = setup
    provider = CloudTrailTrailProvider()
    created = provider.create(_props(key_arn))

    provider.update(created.id, created.outs, _props(key_arn, logging=False))

    assert cloudtrail.get_trail_status(Name=created.id)["IsLogging"] is False


def test_delete_then_read_is_none_and_delete_again_is_fine(setup) -> None:
    _, key_arn = setup
    provider = CloudTrailTrailProvider()
    created = provider.create(_props(key_arn))

    provider.delete(created.id, created.outs)

    assert provider.read(created.id, created.outs) is None
    provider.delete(created.id, created.outs)


def test_a_missing_bucket_is_named_with_its_error_code(setup) -> None:
    _, key_arn = setup
    with pytest.raises(ProviderError) as exc:
        CloudTrailTrailProvider().create(_props(key_arn, s3_bucket_name="no-such-bucket"))
    assert str(exc.value) == (
        "CloudTrail trail acme-trail: CreateTrail: S3BucketDoesNotExistException: S3 bucket no-such-bucket does not exist!"
    )
